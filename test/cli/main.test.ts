import { COMMANDS, main } from '../../cli/main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: {} }, out, err };
}

describe('mcp-ops CLI dispatcher', () => {
  test('no command prints the usage and exits 2; --help exits 0', async () => {
    const a = capture();
    expect(await main([], a.io)).toBe(2);
    expect(a.out.join('')).toMatch(/^usage: mcp-ops <command>/);
    const b = capture();
    expect(await main(['--help'], b.io)).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(b.out.join('')).toContain(`  ${name}`);
  });

  test('an unknown command names itself and exits 2', async () => {
    const c = capture();
    expect(await main(['deploy-everything'], c.io)).toBe(2);
    expect(c.err.join('')).toContain('unknown command "deploy-everything"');
  });
});
