import * as fs from 'fs';
import * as path from 'path';
import { README_COMMAND, runCapacityCli } from '../../lib/capacity/cli';

const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README’s cost of the default app is what the capacity command prints (regenerate: see the message)', () => {
  const m = /<!-- capacity:default-app:begin -->\n([\s\S]*?)<!-- capacity:default-app:end -->/.exec(readme);
  expect(m).not.toBeNull();
  let out = '';
  expect(runCapacityCli(['--default-app', '--markdown'], { out: (t) => (out += t), err: () => undefined })).toBe(0);
  // On failure: run `npm run capacity -- --default-app --markdown` and paste its output between the markers.
  expect({ command: README_COMMAND, block: m![1] }).toEqual({ command: README_COMMAND, block: out });
});
