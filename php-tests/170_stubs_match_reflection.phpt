--TEST--
stubs/swoole_rs.stub.php matches the loaded extension: stubs/generate.php regenerates it byte for byte with every item described, and a parse of the stub file of its own lists the same classes, parents, methods, parameters, properties, functions, constants and class aliases as reflection
--SKIPIF--
<?php if (!extension_loaded('swoole_rs')) die('skip the swoole_rs extension is not loaded'); ?>
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

$root = dirname(__DIR__);
$stubFile = "$root/stubs/swoole_rs.stub.php";
$committed = (string)@file_get_contents($stubFile);

// --- 1. the generator, run as the extension is loaded here, writes the same bytes ---------
$tmp = tempnam(sys_get_temp_dir(), 'swrs-stub-');
register_shutdown_function(static fn() => @unlink($tmp));
$gen = ServerProcess::startCommand(array_merge(php_command(), ["$root/stubs/generate.php", $tmp]));
$code = $gen->wait(30);
echo 'generate.php: exit code ', var_export($code, true), "\n", $gen->stdout(), $gen->stderr();
$generated = (string)file_get_contents($tmp);
if ($generated === $committed) {
    echo "stubs/swoole_rs.stub.php is up to date\n";
} else {
    $a = explode("\n", $committed);
    $b = explode("\n", $generated);
    for ($i = 0; ($a[$i] ?? null) === ($b[$i] ?? null); $i++) {
    }
    echo "stubs/swoole_rs.stub.php differs from what the extension registers, from line ", $i + 1, ":\n",
        "  committed: ", $a[$i] ?? '(end of file)', "\n",
        "  generated: ", $b[$i] ?? '(end of file)', "\n",
        "Regenerate it: php -d extension=\$(scripts/build) stubs/generate.php\n";
    exec('diff -u ' . escapeshellarg($stubFile) . ' ' . escapeshellarg($tmp) . ' 2>&1 | head -n 60', $diff);
    echo implode("\n", $diff), "\n";
}

// --- 2. the stub file is valid PHP -----------------------------------------------------------
$lint = ServerProcess::startCommand([PHP_BINARY, '-n', '-l', $stubFile]);
$lint->wait(30);
echo str_replace($stubFile, 'stubs/swoole_rs.stub.php', trim($lint->stdout())), "\n";

// --- 3. what the stub file declares, read with the tokenizer -------------------------------

/** The next token that is not whitespace or a comment, from $i on; $i is left on it. */
function next_token(array $tokens, int &$i)
{
    for (; $i < count($tokens); $i++) {
        $t = $tokens[$i];
        if (!is_array($t) || !in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
            return $t;
        }
    }
    return null;
}

function token_text($t): string
{
    return is_array($t) ? $t[1] : (string)$t;
}

/** A literal as written in the stub: int, float, string, true/false/null. */
function literal_value(string $s)
{
    $l = strtolower($s);
    if ($l === 'null' || $l === 'true' || $l === 'false') {
        return ['null' => null, 'true' => true, 'false' => false][$l];
    }
    if (preg_match('/^-?\d+$/', $s)) {
        return (int)$s;
    }
    if (is_numeric($s)) {
        return (float)$s;
    }
    if ($s !== '' && $s[0] === "'") {
        return strtr(substr($s, 1, -1), ["\\\\" => "\\", "\\'" => "'"]);
    }
    if ($s === '[]') {
        return [];
    }
    return "<unparsed: $s>";
}

/** Reads "= literal" up to ; , or ) (none: no default). */
function read_default(array $tokens, int &$i): array
{
    $t = next_token($tokens, $i);
    if ($t !== '=') {
        return [false, null];
    }
    $i++;
    $text = '';
    for (; $i < count($tokens); $i++) {
        $t = $tokens[$i];
        if ($t === ';' || $t === ',' || $t === ')') {
            break;
        }
        if (!is_array($t) || $t[0] !== T_WHITESPACE) {
            $text .= token_text($t);
        }
    }
    return [true, literal_value($text)];
}

function parse_stub(string $code): array
{
    $tokens = token_get_all($code);
    $out = ['constants' => [], 'functions' => [], 'classes' => [], 'aliases' => []];
    $ns = '';
    $depth = 0;
    $class = null;
    $classDepth = 0;
    $static = false;
    $qualify = static function (string $name) use (&$ns): string {
        return ($ns === '' ? '' : "$ns\\") . $name;
    };
    for ($i = 0; $i < count($tokens); $i++) {
        $t = $tokens[$i];
        if ($t === '{') {
            $depth++;
            continue;
        }
        if ($t === '}') {
            $depth--;
            if ($class !== null && $depth === $classDepth) {
                $class = null;
            }
            continue;
        }
        if ($t === ';') {
            $static = false;
        }
        if (!is_array($t)) {
            continue;
        }
        switch ($t[0]) {
            case T_NAMESPACE:
                $i++;
                $n = next_token($tokens, $i);
                $ns = $n === '{' ? '' : token_text($n);
                if ($n === '{') {
                    $i--; // let the loop count the brace
                }
                break;
            case T_STATIC:
                $static = true;
                break;
            case T_CLASS:
                $i++;
                $name = $qualify(token_text(next_token($tokens, $i)));
                $parent = null;
                $j = $i + 1;
                if (is_array($n = next_token($tokens, $j)) && $n[0] === T_EXTENDS) {
                    $i = $j + 1;
                    $parent = ltrim(token_text(next_token($tokens, $i)), '\\');
                }
                $out['classes'][$name] = ['parent' => $parent, 'methods' => [], 'properties' => []];
                $class = $name;
                $classDepth = $depth;
                break;
            case T_FUNCTION:
                $i++;
                $name = token_text(next_token($tokens, $i));
                $params = [];
                $variadic = false;
                for (; $tokens[$i] !== ')'; $i++) {
                    if ($tokens[$i] === '(' || $tokens[$i] === ',') {
                        $variadic = false;
                    } elseif (is_array($tokens[$i]) && $tokens[$i][0] === T_ELLIPSIS) {
                        $variadic = true;
                    } elseif (is_array($tokens[$i]) && $tokens[$i][0] === T_VARIABLE) {
                        $v = ($variadic ? '...' : '') . $tokens[$i][1];
                        $i++;
                        [$has, $def] = read_default($tokens, $i);
                        $params[] = $v . ($has ? ' = ' . var_export($def, true) : '');
                        $i--;
                    }
                }
                if ($class !== null) {
                    $out['classes'][$class]['methods'][strtolower($name)] = ($static ? 'static ' : '') . "$name(" . implode(', ', $params) . ')';
                } else {
                    $out['functions'][strtolower($qualify($name))] = $qualify($name) . '(' . implode(', ', $params) . ')';
                }
                $static = false;
                break;
            case T_CONST:
                $i++;
                $name = token_text(next_token($tokens, $i));
                $i++;
                [, $value] = read_default($tokens, $i);
                if ($class === null) {
                    $out['constants'][$qualify($name)] = $value;
                }
                break;
            case T_VARIABLE:
                // Parameter lists are consumed with their function: this is a property.
                if ($class !== null && $depth === $classDepth + 1) {
                    $name = substr($t[1], 1);
                    $i++;
                    [$has, $def] = read_default($tokens, $i);
                    $out['classes'][$class]['properties'][$name] = $has ? $def : null;
                    $i--;
                }
                break;
            case T_STRING:
                if (strtolower($t[1]) === 'class_alias' && $class === null) {
                    $args = [];
                    for ($i++; $tokens[$i] !== ')'; $i++) {
                        $tok = $tokens[$i];
                        if (is_array($tok) && in_array($tok[0], [T_NAME_FULLY_QUALIFIED, T_NAME_QUALIFIED, T_STRING], true)) {
                            $args[] = ltrim($tok[1], '\\'); // Name::class
                        } elseif (is_array($tok) && $tok[0] === T_CONSTANT_ENCAPSED_STRING) {
                            $args[] = ltrim(literal_value($tok[1]), '\\');
                        }
                    }
                    $out['aliases'][strtolower($args[1] ?? '')] = $args[0] ?? '';
                }
                break;
        }
    }
    return $out;
}

/** What reflection says, in the same shapes (methods and properties include inherited ones). */
function reflection_view(): array
{
    $ext = new ReflectionExtension('swoole_rs');
    $out = ['constants' => $ext->getConstants(), 'functions' => [], 'classes' => [], 'aliases' => []];
    $sig = static function (ReflectionFunctionAbstract $f): string {
        $ps = [];
        foreach ($f->getParameters() as $p) {
            $s = ($p->isVariadic() ? '...' : '') . '$' . $p->getName();
            if ($p->isDefaultValueAvailable()) {
                $s .= ' = ' . var_export($p->getDefaultValue(), true);
            }
            $ps[] = $s;
        }
        return (($f instanceof ReflectionMethod && $f->isStatic()) ? 'static ' : '') . $f->getName() . '(' . implode(', ', $ps) . ')';
    };
    foreach ($ext->getFunctions() as $f) {
        $out['functions'][strtolower($f->getName())] = $sig($f);
    }
    foreach ($ext->getClasses() as $key => $c) {
        if (strcasecmp($key, $c->getName()) !== 0) {
            $out['aliases'][strtolower($key)] = $c->getName();
            continue;
        }
        $methods = [];
        foreach ($c->getMethods() as $m) {
            $methods[strtolower($m->getName())] = $sig($m);
        }
        $props = [];
        foreach ($c->getProperties() as $p) {
            $props[$p->getName()] = $p->hasDefaultValue() ? $p->getDefaultValue() : null;
        }
        $out['classes'][$c->getName()] = [
            'parent' => $c->getParentClass() ? $c->getParentClass()->getName() : null,
            'methods' => $methods,
            'properties' => $props,
        ];
    }
    return $out;
}

/** A stub class with what it inherits: from stub parents, or from reflection for PHP's own. */
function flatten(array $classes, string $name): array
{
    $c = $classes[$name];
    $parent = $c['parent'];
    if ($parent === null) {
        return $c;
    }
    if (isset($classes[$parent])) {
        $p = flatten($classes, $parent);
    } else {
        $r = new ReflectionClass($parent);
        $p = ['methods' => [], 'properties' => []];
        foreach ($r->getMethods() as $m) {
            if (!$m->isPrivate()) {
                $p['methods'][strtolower($m->getName())] = true;
            }
        }
        foreach ($r->getProperties() as $prop) {
            if ($prop->isPrivate()) {
                continue;
            }
            $p['properties'][$prop->getName()] = $prop->hasDefaultValue() ? $prop->getDefaultValue() : null;
        }
    }
    $c['methods'] += $p['methods'];
    $c['properties'] += $p['properties'];
    return $c;
}

$stub = parse_stub($committed);
$real = reflection_view();
$problems = [];
$compare = static function (string $what, array $inStub, array $inExt) use (&$problems): void {
    foreach (array_diff_key($inExt, $inStub) as $k => $_) {
        $problems[] = "$what$k: registered by the extension, missing from the stubs";
    }
    foreach (array_diff_key($inStub, $inExt) as $k => $_) {
        $problems[] = "$what$k: in the stubs, not registered by the extension";
    }
    foreach (array_intersect_key($inStub, $inExt) as $k => $v) {
        // true: inherited from a class outside the stubs (Exception), nothing more to compare.
        if ($v !== true && $v !== $inExt[$k]) {
            $problems[] = "$what$k: stubs say " . var_export($v, true) . ', the extension ' . var_export($inExt[$k], true);
        }
    }
};

$compare('constant ', $stub['constants'], $real['constants']);
$compare('function ', $stub['functions'], $real['functions']);
$compare('class alias ', $stub['aliases'], $real['aliases']);
$compare('class ', array_map(fn($c) => $c['parent'], $stub['classes']), array_map(fn($c) => $c['parent'], $real['classes']));
foreach (array_intersect_key($stub['classes'], $real['classes']) as $name => $_) {
    $flat = flatten($stub['classes'], $name);
    $compare("method $name::", $flat['methods'], $real['classes'][$name]['methods']);
    $compare("property $name::\$", $flat['properties'], $real['classes'][$name]['properties']);
}
printf("stub file: %d constants, %d functions, %d classes, %d class aliases\n",
    count($stub['constants']), count($stub['functions']), count($stub['classes']), count($stub['aliases']));
echo $problems ? implode("\n", $problems) . "\n" : "parsed stubs and reflection agree\n";
?>
--EXPECTF--
generate.php: exit code 0
stubs/swoole_rs.stub.php is up to date
No syntax errors detected in stubs/swoole_rs.stub.php
stub file: %d constants, 25 functions, 25 classes, 6 class aliases
parsed stubs and reflection agree
