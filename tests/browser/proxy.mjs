// A TCP proxy in front of the server whose network can be cut and restored, so a browser test
// can lose its connection for real (not just in emulation) and see what the page does.
import net from 'node:net';

export async function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const pairs = new Set();
  let mode = 'open'; // open | cut | drop-replies
  const server = net.createServer((client) => {
    if (mode === 'cut') { client.destroy(); return; }
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('data', (chunk) => { if (mode !== 'cut') upstream.write(chunk); });
    // In drop-replies mode the server still gets what the page sends, but no answer comes back:
    // the case of an ack lost on the way.
    upstream.on('data', (chunk) => { if (mode === 'open') client.write(chunk); });
    const close = () => { pairs.delete(pair); client.destroy(); upstream.destroy(); };
    client.on('error', close); upstream.on('error', close);
    client.on('close', close); upstream.on('close', close);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    /** Every connection dies and new ones are refused. */
    cut() { mode = 'cut'; for (const { client, upstream } of pairs) { client.destroy(); upstream.destroy(); } pairs.clear(); },
    dropReplies() { mode = 'drop-replies'; },
    restore() { mode = 'open'; },
    close() { this.cut(); return new Promise((ok) => server.close(ok)); },
  };
}
