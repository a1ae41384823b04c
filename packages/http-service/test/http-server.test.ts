import { expect } from 'chai';
import { startFixtureApp } from './app-fixture';

describe('graceful close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const { running } = await startFixtureApp();
    const inflight = fetch(`${running.url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    await running.close();
    expect(await inflight).to.deep.equal({ done: true });
    let refused = false;
    await fetch(`${running.url}/slow`).catch(() => (refused = true));
    expect(refused).to.equal(true);
  });
});
