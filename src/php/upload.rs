//! multipart/form-data bodies: form fields into `$request->post`, uploaded
//! files into `$request->files` (as PHP's $_FILES), saved to temporary files
//! that are removed when the request object goes away (as in Swoole; keep a
//! file by rename()-ing it in the callback).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::ZendHashTable;

use super::values::{array_zval, bytes_zval, long_zval};

/// Temporary files of one request, deleted on drop.
#[derive(Default)]
pub struct Uploads(Vec<PathBuf>);

impl Drop for Uploads {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The boundary of a multipart/form-data content type.
pub fn boundary(content_type: &str) -> Option<String> {
    multer::parse_boundary(content_type).ok()
}

/// Parses a whole multipart body; None when it is malformed.
pub fn parse(
    body: Bytes,
    boundary: &str,
) -> Option<(ZBox<ZendHashTable>, ZBox<ZendHashTable>, Uploads)> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut post = ZendHashTable::new();
    let mut files = ZendHashTable::new();
    let mut uploads = Uploads::default();
    // The body is already in memory: every future is ready at once.
    futures_executor::block_on(async {
        while let Some(field) = mp.next_field().await.ok()? {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().map(str::to_string);
            let mime = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.ok()?;
            match file_name {
                None => {
                    let _ = post.insert(name.as_str(), bytes_zval(&data));
                }
                Some(file_name) => {
                    let path = temp_path();
                    let error = match std::fs::write(&path, &data) {
                        Ok(()) => 0, // UPLOAD_ERR_OK
                        Err(_) => 7, // UPLOAD_ERR_CANT_WRITE
                    };
                    let mut f = ZendHashTable::new();
                    let _ = f.insert("name", file_name.as_str());
                    let _ = f.insert(
                        "type",
                        mime.as_deref().unwrap_or("application/octet-stream"),
                    );
                    let _ = f.insert("tmp_name", path.to_string_lossy().as_ref());
                    let _ = f.insert("error", long_zval(error));
                    let _ = f.insert("size", long_zval(data.len() as i64));
                    let _ = files.insert(name.as_str(), array_zval(f));
                    uploads.0.push(path);
                }
            }
        }
        Some(())
    })?;
    Some((post, files, uploads))
}

fn temp_path() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("swoole.upfile.{}.{n}", std::process::id()))
}
