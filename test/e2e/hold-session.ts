// A ZooKeeper client session held open through a roll (test/e2e/java/HoldSession.java, run with the
// real client library of a ZooKeeper distribution unpacked on this machine), owning an ephemeral node.
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { REPO_ROOT } from '../lab/lab.js';

export interface HeldSession {
  /** The session id, once connected and the node created. */
  id: string;
  /** Closes stdin; resolves with everything it printed (EVENT lines, then FINAL <id> <node still there>). */
  finish(): Promise<string>;
}

export async function holdSession(zkHome: string, connect: string, node: string, timeoutMs = 400_000): Promise<HeldSession> {
  const client: ResultPromise = execa('java', ['-cp', `${zkHome}/lib/*`, join(REPO_ROOT, 'test/e2e/java/HoldSession.java'), connect, node], { reject: false, timeout: timeoutMs });
  let output = '';
  client.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/^SESSION /m.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const id = /^SESSION (\w+)/m.exec(output)?.[1];
  if (!id) throw new Error(`no ZooKeeper session within 60s: ${output}`);
  return {
    id,
    finish: async () => {
      client.stdin!.end();
      await client;
      return output;
    },
  };
}
