/**
 * `node supervise-main.ts <name> -- <command> [args…]`: runs the command under supervise(),
 * logging as the services do (one JSON object per line). SIGTERM or SIGINT stops the child and
 * then the supervisor. Node runs this file as it is (type stripping): it imports only Node and
 * this package's own plain modules.
 */
import { supervise } from './supervisor.ts';

const [name, separator, command, ...args] = process.argv.slice(2);
if (!name || separator !== '--' || !command) {
  process.stderr.write('usage: supervise-main.ts <name> -- <command> [args…]\n');
  process.exit(64);
}
const supervision = supervise({
  name,
  command,
  args,
  log: (entry) => process.stderr.write(`${JSON.stringify({ time: Date.now(), service: `${name}-supervisor`, ...entry })}\n`),
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void supervision.stop(signal).then((code) => process.exit(code ?? 0));
  });
}
