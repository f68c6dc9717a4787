import { createServer } from '/work/main/src/server';
import { loadConfig } from '/work/main/src/config';
(async () => {
  const s = createServer(loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1' }));
  const port = await s.listen();
  for (const p of ['/', '/app.js', '/socket.io/socket.io.js', '/socket.io/?EIO=4&transport=polling']) {
    const r = await fetch(`http://127.0.0.1:${port}${p}`);
    const body = await r.text();
    console.log(p, r.status, r.headers.get('content-type'), body.slice(0, 80).replace(/\n/g, ' '));
  }
  console.log('csp', (await fetch(`http://127.0.0.1:${port}/`)).headers.get('content-security-policy'));
  await s.close();
})();
