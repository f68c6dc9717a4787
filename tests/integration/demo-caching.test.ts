import { request } from 'node:http';
import { useTestServer } from '../helpers/server';

const srv = useTestServer();

/** node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request, which forbids a 304. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    })
      .once('error', reject)
      .end();
  });
}

/**
 * The demo's files have no version in their names, so a deploy reaches users at once only if every
 * use revalidates: `no-cache` plus an ETag, answered with 304 while the file is unchanged.
 */
test.each(['/', '/index.html', '/app.js', '/style.css'])('%s is revalidated on every use (no-cache + ETag)', async (file) => {
  const first = await get(`${srv.url}${file}`);
  expect(first.status).toBe(200);
  expect(first.headers['cache-control']).toBe('no-cache');
  const etag = first.headers.etag as string;
  expect(etag).toBeTruthy();

  const again = await get(`${srv.url}${file}`, { 'If-None-Match': etag });
  expect(again.status).toBe(304);
  expect(again.headers['cache-control']).toBe('no-cache');
});
