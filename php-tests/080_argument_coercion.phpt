--TEST--
api: every scalar parameter of every method converts as PHP's own rules say (bool/int/float/numeric strings, TypeError, deprecations), strictly under strict_types
--FILE--
<?php
require __DIR__ . '/lib/harness.php';

// Driven by Reflection: every public method of every class of the extension, every
// parameter typed int, float, bool or string (nullable or not), called with each value
// below from a non-strict and from a strict caller. The outcome (accepted, or the
// TypeError's text, plus the deprecations raised) must equal what PHP's rules give,
// taken from a userland function with the same parameter (for null on a non-nullable
// parameter: what PHP does for internal functions, a deprecation or a TypeError).

$values = [true, false, 0, 0.5, 2.0, '0', '0.5', ' 0', '1abc', 'abc', '', null];

$closedPort = free_port();
$objects = [
    Swoole\Server::class => fn() => new Swoole\Server('127.0.0.1', 0),
    Swoole\Http\Server::class => fn() => new Swoole\Http\Server('127.0.0.1', 0),
    Swoole\WebSocket\Server::class => fn() => new Swoole\WebSocket\Server('127.0.0.1', 0),
    Swoole\Coroutine\Http\Client::class => fn() => new Swoole\Coroutine\Http\Client('127.0.0.1', $closedPort),
];

/** A harmless valid argument for a parameter that is not the one under test. */
function placeholder(ReflectionParameter $p): mixed
{
    $t = $p->getType();
    $name = $t instanceof ReflectionNamedType ? $t->getName() : 'mixed';
    return match (true) {
        $p->getName() === 'host' => '127.0.0.1',
        in_array($p->getName(), ['callback', 'func'], true) || $name === 'callable' || str_ends_with($p->getName(), '_callback') => fn() => null,
        $name === 'int' => 0,
        $name === 'float' => 0.0,
        $name === 'bool' => false,
        $name === 'array' => [],
        default => 'x',
    };
}

/** The outcome of a call: TypeError text (without the function's name) and deprecations. */
function outcome(callable $call): array
{
    $deprecations = [];
    set_error_handler(function (int $no, string $msg) use (&$deprecations) {
        if ($no === E_DEPRECATED) {
            $deprecations[] = preg_replace('/^[^ ]*\(\): /', '', $msg);
        }
        return true;
    });
    $error = 'accepted';
    try {
        $call();
    } catch (TypeError $e) {
        $error = 'TypeError: ' . preg_replace(['/^[^ ]*\(\): /', '/, called in .*$/s'], '', $e->getMessage());
    } catch (Throwable $e) {
        // The body refused the value (no server running, bad port...): the argument
        // itself was accepted.
    } finally {
        restore_error_handler();
    }
    return [$error, $deprecations];
}

// The call sites: one file without strict_types (this one), one with.
$callLoose = fn(callable $f, array $args) => $f(...$args);
$callStrict = eval('declare(strict_types=1); return fn(callable $f, array $args) => $f(...$args);');
$newLoose = fn(string $c, array $args) => new $c(...$args);
$newStrict = eval('declare(strict_types=1); return fn(string $c, array $args) => new $c(...$args);');

$classes = array_filter(get_declared_classes(),
    fn($c) => (new ReflectionClass($c))->getExtensionName() === 'swoole_rs');
$cases = 0;
$params = 0;
$mismatches = [];
$mirrorId = 0;
foreach ($classes as $class) {
    $rc = new ReflectionClass($class);
    foreach ($rc->getMethods(ReflectionMethod::IS_PUBLIC) as $m) {
        // Methods a class inherits from PHP's own (Timer\Iterator's ArrayIterator) are PHP's.
        if ($m->getDeclaringClass()->getExtensionName() !== 'swoole_rs') {
            continue;
        }
        $isCtor = $m->getName() === '__construct';
        if (!$m->isStatic() && !$isCtor && !isset($objects[$class])) {
            continue; // no way to build one here
        }
        $ps = $m->getParameters();
        foreach ($ps as $i => $p) {
            $t = $p->getType();
            if (!$t instanceof ReflectionNamedType || !in_array($t->getName(), ['int', 'float', 'bool', 'string'], true)) {
                continue;
            }
            $params++;
            // A userland twin: the same parameters, this one typed, the others mixed.
            $decl = [];
            $upTo = max($i + 1, $m->getNumberOfRequiredParameters());
            foreach (array_slice($ps, 0, $upTo) as $j => $q) {
                $type = $j === $i ? (string)$t : 'mixed';
                $default = $q->isDefaultValueAvailable() ? var_export($q->getDefaultValue(), true) : 'null';
                $decl[] = $type . ' $' . $q->getName() . ($q->isOptional() ? " = $default" : '');
            }
            $mirror = 'mirror' . (++$mirrorId);
            eval("function $mirror(" . implode(', ', $decl) . ') {}');
            foreach ($values as $v) {
                $args = [];
                foreach (array_slice($ps, 0, $i) as $q) {
                    $args[] = placeholder($q);
                }
                $args[] = $v;
                foreach (array_slice($ps, $i + 1, $upTo - $i - 1) as $q) {
                    $args[] = placeholder($q);
                }
                foreach ([false, true] as $strict) {
                    $call = $strict ? $callStrict : $callLoose;
                    $new = $strict ? $newStrict : $newLoose;
                    if ($isCtor) {
                        $got = outcome(fn() => $new($class, $args));
                    } elseif ($m->isStatic()) {
                        $got = outcome(fn() => $call([$class, $m->getName()], $args));
                    } else {
                        $obj = $objects[$class]();
                        $got = outcome(fn() => $call([$obj, $m->getName()], $args));
                    }
                    if ($v === null && !$t->allowsNull()) {
                        // Internal functions (unlike userland ones) take null for a scalar
                        // in non-strict mode, with a deprecation.
                        $want = $strict
                            ? ['TypeError: Argument #' . ($i + 1) . ' ($' . $p->getName() . ') must be of type ' . $t->getName() . ', null given', []]
                            : ['accepted', ['Passing null to parameter #' . ($i + 1) . ' ($' . $p->getName() . ') of type ' . $t->getName() . ' is deprecated']];
                    } else {
                        $want = outcome(fn() => $call($mirror, $args));
                    }
                    $cases++;
                    if ($got !== $want) {
                        $mismatches[] = sprintf("%s::%s(\$%s = %s)%s: got %s, want %s", $class, $m->getName(),
                            $p->getName(), var_export($v, true), $strict ? ' [strict]' : '',
                            json_encode($got), json_encode($want));
                    }
                }
            }
        }
    }
}
echo "parameters checked: ", $params >= 30 ? 'at least 30' : $params, "\n";
echo "cases: ", $cases === $params * count($values) * 2 ? 'all' : $cases, "\n";
echo "mismatches: ", count($mismatches), "\n", implode("\n", $mismatches), "\n";

// The manual's old `bool $finish` argument is converted to the int flags.
echo bin2hex(Swoole\WebSocket\Server::pack('abc', WEBSOCKET_OPCODE_TEXT, false)), "\n";
echo bin2hex(Swoole\WebSocket\Server::pack('abc', WEBSOCKET_OPCODE_TEXT, true)), "\n";
echo bin2hex(Swoole\WebSocket\Frame::pack('abc', '2')), "\n";
try {
    $callStrict([Swoole\WebSocket\Server::class, 'pack'], ['abc', WEBSOCKET_OPCODE_TEXT, false]);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
    Swoole\WebSocket\Server::pack('abc', []);
} catch (TypeError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$s = new Swoole\WebSocket\Server('127.0.0.1', '0');
var_dump($s->port > 0);
var_dump(@$s->push('7', 'x'));
?>
--EXPECT--
parameters checked: at least 30
cases: all
mismatches: 0

0103616263
8103616263
8203616263
TypeError: Swoole\WebSocket\Server::pack(): Argument #3 ($flags) must be of type ?int, bool given
TypeError: Swoole\WebSocket\Server::pack(): Argument #2 ($opcode) must be of type ?int, array given
bool(true)
bool(false)
