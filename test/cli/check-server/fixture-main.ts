/**
 * The fixture server as a process, for the drain check: listens on PORT; FIXTURE_OPTIONS (JSON) sets the
 * knobs; FIXTURE_DRAIN=false leaves SIGTERM to node's default (killed at once, streams cut).
 */
import { fixtureOptionsFromEnv, startFixture } from './fixture-server';

async function main(): Promise<void> {
  const fixture = await startFixture(fixtureOptionsFromEnv(process.env), Number(process.env.PORT));
  if (process.env.FIXTURE_DRAIN !== 'false') {
    process.once('SIGTERM', () => {
      fixture.drain().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch(() => process.exit(1));
