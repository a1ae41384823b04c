// Worker-thread side of the bcrypt pool: runs bcryptjs synchronously off the main event loop.
import { parentPort } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import type { HashJob, HashReply } from './hash-pool';

parentPort?.on('message', (job: HashJob) => {
  let reply: HashReply;
  try {
    const result = job.op === 'hash' ? bcrypt.hashSync(job.password, job.cost) : bcrypt.compareSync(job.password, job.hash);
    reply = { id: job.id, result };
  } catch (err) {
    reply = { id: job.id, error: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
