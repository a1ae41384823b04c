import { expect } from 'chai';
import { startFixtureApp } from './app-fixture';

describe('problem+json errors over real HTTP', () => {
  let fixture: Awaited<ReturnType<typeof startFixtureApp>>;
  before(async () => (fixture = await startFixtureApp()));
  after(() => fixture.running.close());

  const post = (body: string, type = 'application/json') =>
    fetch(`${fixture.running.url}/echo`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await post('{"a":');
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(await res.json()).to.include({ status: 400, code: 'malformed_json', instance: '/echo' });
  });

  it('answers a non-JSON body with 415 and an oversized one with 413', async () => {
    expect((await post('a=b', 'application/x-www-form-urlencoded')).status).to.equal(415);
    const big = await post(JSON.stringify({ pad: 'x'.repeat(200) }));
    expect(big.status).to.equal(413);
    expect(await big.json()).to.include({ code: 'payload_too_large' });
  });

  it('passes a valid body through', async () => {
    expect(await (await post('{"a":1}')).json()).to.deep.equal({ got: { a: 1 } });
  });

  it('sends a ProblemError with its status, code and headers', async () => {
    const res = await fetch(`${fixture.running.url}/limited`);
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('7');
    expect(await res.json()).to.include({ code: 'too_many', detail: 'slow down', title: 'Too Many Requests' });
  });

  it('hides unexpected errors behind a 500 internal_error without their message', async () => {
    const res = await fetch(`${fixture.running.url}/boom`);
    expect(res.status).to.equal(500);
    const body = await res.text();
    expect(body).to.contain('internal_error').and.not.to.contain('secret internals');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await fetch(`${fixture.running.url}/nope`);
    expect(res.status).to.equal(404);
    expect(await res.json()).to.include({ code: 'not_found' });
  });
});
