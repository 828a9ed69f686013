#!/usr/bin/env node
// `pnpm check:guards`: proves that every lost-or-leaked condition of the reliability issue has
// a test that fails when the code guarding it is removed. For each guard below, it removes the
// guard from the source (one exact text replacement), runs the tests named beside it, expects
// them to FAIL, and puts the source back (also on Ctrl-C or a crash). A guard whose tests still
// pass is reported, and the script exits 1.
//
//   node scripts/check-guards.mjs            every guard
//   node scripts/check-guards.mjs 410 dlq    only the guards whose id contains one of the words
//
// It edits files in place, so it refuses to run when any of them has uncommitted changes.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * id, what would be lost or leaked without the guard, the file and exact text of the guard,
 * what replaces it, and the tests (file, and a name filter) that must fail without it.
 */
const GUARDS = [
  {
    id: 'gone-record',
    condition: 'a push answered 410 leaves a stale record behind (and the socket is pushed to forever)',
    file: 'core/src/use-cases/notify-connection.ts',
    guard:
      'const removed = await this.repository.removeIfConnectedBefore(\n          connectionId,\n          this.clock.now() - this.connectGraceMs,\n        );',
    without: "const removed = 'kept';",
    test: ['test/e2e/faults.e2e.test.ts', '410'],
  },
  {
    id: 'connect-race',
    condition:
      'a 410 for a socket whose $connect has not finished opening deletes its record: the socket opens deaf',
    file: 'core/src/use-cases/notify-connection.ts',
    guard:
      'const removed = await this.repository.removeIfConnectedBefore(\n          connectionId,\n          this.clock.now() - this.connectGraceMs,\n        );',
    without: "const removed = (await this.repository.remove(connectionId), 'removed');",
    test: ['test/e2e/dev-stack-connect-race.e2e.test.ts', ''],
  },
  {
    id: 'connect-race-condition',
    condition: 'the DynamoDB registry removes a record however young it is (the $connect race on AWS)',
    file: 'adapters/src/dynamodb/dynamodb-connection-repository.ts',
    guard: "ConditionExpression: '#connectedAt <= :before',",
    without: '',
    test: ['test/adapters/dynamodb-connection-repository.test.ts', 'still connecting'],
  },
  {
    id: 'stream-append',
    condition: 'a notification sent while the user has no socket is not stored, so resume cannot recover it',
    file: 'core/src/use-cases/notify-user.ts',
    guard:
      'const appended = await this.stream.append(message.userId, { id: notificationId, data: message.data });',
    without: "const appended = { seq: 1, epoch: 'unstored', duplicate: false };",
    test: ['test/e2e/server-resume.soak.e2e.test.ts', 'recovers, after a reconnect'],
  },
  {
    id: 'append-before-push',
    condition: 'a notification is pushed although storing it failed (a resume would then miss it)',
    file: 'core/src/use-cases/notify-user.ts',
    guard:
      'const appended = await this.stream.append(message.userId, { id: notificationId, data: message.data });',
    without:
      "const appended = await this.stream.append(message.userId, { id: notificationId, data: message.data }).catch(() => ({ seq: 0, epoch: '', duplicate: false }));",
    test: ['test/core/notify-user-stream.test.ts', 'append fails'],
  },
  {
    id: 'idempotent-append-memory',
    condition: 'a redelivered notification takes a second position and is shown twice',
    file: 'adapters/src/memory/in-memory-notification-stream.ts',
    guard:
      'if (stored !== undefined) return Promise.resolve({ epoch: this.epoch, seq: stored, duplicate: true });',
    without: '',
    test: ['test/adapters/in-memory-notification-stream.test.ts', 'stored position'],
  },
  {
    id: 'idempotent-append-dynamodb',
    condition: 'a redelivered notification takes a second position in DynamoDB and is shown twice',
    file: 'adapters/src/dynamodb/dynamodb-notification-stream.ts',
    guard: 'if (found !== null) return found;',
    without: '',
    test: ['test/adapters/dynamodb-notification-stream.test.ts', 'stored position'],
  },
  {
    id: 'resume-scope',
    condition: "resume answers with another user's notifications when a frame names that user",
    file: 'core/src/actions/resume.ts',
    guard: 'const read = await this.stream.readSince(userId, since, { limit: this.replayLimit });',
    without:
      "const read = await this.stream.readSince(typeof frame.userId === 'string' ? frame.userId : userId, since, { limit: this.replayLimit });",
    test: ['test/e2e/server-resume.soak.e2e.test.ts', "another user's"],
  },
  {
    id: 'transient-push',
    condition: 'a direct push that fails transiently is dropped instead of going to the queue',
    file: 'core/src/use-cases/notify-user.ts',
    guard: '} catch {\n          retry.push(connection);\n        }',
    without: '} catch {\n          // dropped\n        }',
    test: ['test/e2e/faults.e2e.test.ts', 'outlasts the SDK’s retries: goes back to the queue'],
  },
  {
    id: 'failed-record',
    condition:
      'a record its handler could not handle is deleted from the queue (never retried, never dead-lettered)',
    file: 'apps/lambda/src/outcomes.ts',
    guard: 'if (!result.done) batchItemFailures.push({ itemIdentifier: record.messageId });',
    without: '',
    test: ['test/e2e/dev-stack.e2e.test.ts', 'malformed NotifyUser message'],
  },
  {
    id: 'thrown-record',
    condition: 'a record whose handler threw (DynamoDB throttling) is deleted from the queue',
    file: 'apps/lambda/src/outcomes.ts',
    guard: '} catch (fault) {\n        batchItemFailures.push({ itemIdentifier: record.messageId });',
    without: '} catch (fault) {',
    test: ['test/e2e/faults.e2e.test.ts', 'DynamoDB throttling that outlasts'],
  },
  {
    id: 'malformed-dlq',
    condition: 'a malformed NotifyUser message is deleted instead of dead-lettered',
    file: 'apps/lambda/src/handlers/notify-user.ts',
    guard: 'return { done: false, code: message.error.code, fields: { reason: message.error.message } };',
    without: 'return { done: true, code: message.error.code, fields: { reason: message.error.message } };',
    test: ['test/e2e/dev-stack.e2e.test.ts', 'malformed NotifyUser message'],
  },
  {
    id: 'sqs-failed-entries',
    condition: 'entries SendMessageBatch reports as Failed are taken as sent',
    file: 'adapters/src/sqs/sqs-message-queue.ts',
    guard: 'if (succeeded.has(id) && !failures.has(id)) continue;',
    without: 'continue;',
    test: ['test/e2e/faults.e2e.test.ts', 'SQS fails some entries'],
  },
  {
    id: 'sqs-failed-batch',
    condition: 'a fan-out batch SQS refused is forgotten instead of failing the NotifyUser message',
    file: 'core/src/use-cases/notify-user.ts',
    guard: 'await Promise.all(ready.map((batch) => this.queue.sendNotifyConnection(batch)));',
    without: 'await Promise.allSettled(ready.map((batch) => this.queue.sendNotifyConnection(batch)));',
    test: ['test/e2e/faults.e2e.test.ts', 'SQS fails a whole fan-out batch'],
  },
  {
    id: 'local-dlq-count',
    condition: 'the dev stack dead-letters after 3 deliveries where AWS makes 5 (local-aws-sqs quirk)',
    file: 'apps/local/src/dev/stack.ts',
    guard: 'maxReceiveCount: 2 * QUEUE_SETTINGS.maxReceiveCount',
    without: 'maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount',
    test: ['test/e2e/faults.e2e.test.ts', '500 InternalServerError'],
  },
  {
    id: 'isolation-index',
    condition: "a notification reaches another user's sockets (the registry's per-user index)",
    file: 'adapters/src/memory/in-memory-connection-repository.ts',
    guard: 'const ids = this.sortedIdsOf(userId);',
    without: 'const ids = [...this.connections.keys()].sort();',
    test: ['test/core/interleaving.property.test.ts', ''],
  },
  {
    id: 'isolation-reauthorize',
    condition: "a socket authorized as one user is taken over by another user's token",
    file: 'adapters/src/memory/in-memory-connection-repository.ts',
    guard: "return Promise.resolve(fail('USER_CONFLICT', 'the connection belongs to another user'));",
    without: '// conflict ignored',
    test: ['test/core/authorize.test.ts', 'refuses another user'],
  },
  {
    id: 'token-signature',
    condition: 'a token with a tampered payload or no signature is accepted',
    file: 'adapters/src/jose/jose-token-verifier.ts',
    guard: 'await jwtVerify(token, await this.key.secret, this.verifyOptions)',
    without: "{ payload: (await import('jose')).decodeJwt(token) }",
    test: ['test/adapters/jose-token-verifier.test.ts', 'refuses'],
  },
  {
    id: 'token-issuer',
    condition: 'a token from another issuer is accepted',
    file: 'adapters/src/jose/jose-token-verifier.ts',
    guard: '...(options.issuer === undefined ? {} : { issuer: options.issuer }),',
    without: '',
    test: ['test/adapters/jose-token-verifier.test.ts', 'refuses'],
  },
  {
    id: 'token-in-log',
    condition: 'a token in the connect URL is written to the log',
    file: 'apps/server/src/server.ts',
    guard: "if (url.search === '') return url.pathname;",
    without: 'return url.pathname + url.search;',
    test: ['test/e2e/server.e2e.test.ts', 'logged'],
  },
  {
    id: 'export-owner',
    condition: 'an export is downloaded by someone other than its owner',
    file: 'core/src/use-cases/download-export.ts',
    guard: 'found.ownerId !== input.userId ||',
    without: '',
    test: ['test/core/lambda-additions.test.ts', 'owner only'],
  },
  {
    id: 'deadline-close',
    condition: 'an anonymous socket stays open past its authorize deadline',
    file: 'core/src/use-cases/enforce-authorize-deadline.ts',
    guard: 'const closed = await this.pusher.disconnect(input.connectionId);',
    without: 'const closed = { ok: true };',
    test: ['test/core/enforce-authorize-deadline.test.ts', 'closes and forgets'],
  },
  {
    id: 'rate-limit',
    condition: 'a socket floods the standalone server past its rate limit',
    file: 'core/src/domain/rate-limit.ts',
    guard: 'if (this.tokens < 1) return false;',
    without: '',
    test: ['test/e2e/server.e2e.test.ts', 'RATE_LIMITED'],
  },
  {
    id: 'token-audience',
    condition: 'a token issued to another app of the same identity provider (foreign aud) is accepted',
    file: 'adapters/src/jose/jose-token-verifier.ts',
    guard: '...(options.audience === undefined ? {} : { audience: options.audience }),',
    without: '',
    test: ['test/adapters/jose-token-verifier.test.ts', 'foreign aud'],
  },
  {
    id: 'token-exp-required',
    condition: 'a token without exp is accepted, and keeps its socket authorized forever',
    file: 'adapters/src/jose/jose-token-verifier.ts',
    guard: "if (typeof exp !== 'number') return fail('UNAUTHORIZED', \"the token has no expiry ('exp')\");",
    without: '',
    test: ['test/adapters/jose-token-verifier.test.ts', 'no exp'],
  },
  {
    id: 'token-expiry-close',
    condition: 'an authorized socket stays open after its token expired',
    file: 'core/src/use-cases/enforce-token-expiry.ts',
    guard: 'const closed = told.ok ? await this.pusher.disconnect(connectionId) : told;',
    without: 'const closed = told;',
    test: ['test/core/token-expiry.test.ts', 'closes an authorized socket'],
  },
  {
    id: 'token-expiry-timer',
    condition: 'the standalone server never closes a socket whose token expired',
    file: 'apps/server/src/server.ts',
    guard: 'state.expiry = setTimeout(() => void onExpiry(state, expiresAt), delay);',
    without: '',
    test: ['test/e2e/token-lifecycle.e2e.test.ts', 'standalone server'],
  },
  {
    id: 'deadline-retry',
    condition: 'an anonymous socket stays open when the first DELETE @connections of its deadline failed',
    file: 'core/src/use-cases/enforce-authorize-deadline.ts',
    guard: "if (removed === 'authorized') return ok({ result: 'authorized' });",
    without:
      "if (removed === 'authorized') return ok({ result: 'authorized' });\n    if (removed === 'not-found') return ok({ result: 'gone' });",
    test: ['test/core/enforce-authorize-deadline.test.ts', 'on a retry'],
  },
  {
    id: 'dev-mode-gate',
    condition: 'a stage not named production (prod, staging) serves POST /token to the internet',
    file: 'sst.config.ts',
    guard: "const mode = deployEnv(ENV.mode) ?? (devStages.includes($app.stage) ? 'dev' : 'production');",
    without: "const mode = deployEnv(ENV.mode) ?? ($app.stage === 'production' ? 'production' : 'dev');",
    test: ['test/apps/lambda/sst-config.test.ts', 'as production unless dev mode is asked for'],
  },
  {
    id: 'dev-mode-network',
    condition: 'the standalone server serves dev mode (POST /token) on an address other machines reach',
    file: 'apps/server/src/config.ts',
    guard: "if (mode === 'dev' && !isLoopbackHost(host) && !allowDevOnNetwork) {",
    without: 'if (false) {',
    test: ['test/apps/server/config.test.ts', 'refuses dev mode'],
  },
  {
    id: 'deploy-validation',
    condition: 'a bad deploy-time value deploys, and every cold start then fails',
    file: 'sst.config.ts',
    guard: 'if (problems.size > 0) {',
    without: 'if (false) {',
    test: ['test/apps/lambda/sst-config.test.ts', 'one error naming every bad value'],
  },
  {
    id: 'client-duplicate',
    condition: 'the client hands the app a notification twice (in a resume reply and live)',
    file: 'clients/js/src/machine.ts',
    guard: 'else if (seq > this.seq) this.deliver(notification);',
    without: 'else this.deliver(notification);',
    test: ['test/client/connection-machine.property.test.ts', 'random faults'],
  },
  {
    id: 'client-gap',
    condition: 'a lost push leaves a gap the client never asks the server to fill',
    file: 'clients/js/src/machine.ts',
    guard: 'this.gapAt ??= this.now + this.settings.gapWaitMs;',
    without: '',
    test: ['test/client/connection-machine.property.test.ts', 'random faults'],
  },
  {
    id: 'client-break',
    condition: 'the client keeps the old socket after make-before-break (two sockets for good)',
    file: 'clients/js/src/machine.ts',
    guard: 'if (old) this.drop(old);',
    without: '',
    test: ['test/client/connection-machine.property.test.ts', 'random faults'],
  },
  {
    id: 'client-rotate',
    condition: 'the client rides its socket into the 2-hour cap instead of replacing it first',
    file: 'clients/js/src/machine.ts',
    guard: 'this.wantAt = socket.rotateAt;',
    without: 'this.wantAt = undefined;',
    test: ['test/client/connection-machine.property.test.ts', '2-hour cap'],
  },
];

const words = process.argv.slice(2);
const selected = words.length === 0 ? GUARDS : GUARDS.filter((g) => words.some((w) => g.id.includes(w)));
if (selected.length === 0) {
  console.error(`no guard matches ${words.join(', ')}; ids: ${GUARDS.map((g) => g.id).join(', ')}`);
  process.exit(2);
}

const files = [...new Set(selected.map((g) => g.file))];
const dirty = spawnSync('git', ['status', '--porcelain', '--', ...files], { cwd: ROOT, encoding: 'utf8' });
if (dirty.stdout.trim() !== '') {
  console.error(
    `uncommitted changes in files this script edits; commit or stash them first:\n${dirty.stdout}`,
  );
  process.exit(2);
}

let restore = null;
const putBack = () => {
  if (restore !== null) restore();
  restore = null;
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    putBack();
    process.exit(130);
  });
}
process.on('exit', putBack);

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const results = [];
for (const g of selected) {
  const path = `${ROOT}${g.file}`;
  const original = readFileSync(path, 'utf8');
  const at = original.indexOf(g.guard);
  if (at === -1 || original.indexOf(g.guard, at + 1) !== -1) {
    results.push({ ...g, verdict: 'GUARD NOT FOUND (exactly once)' });
    continue;
  }
  restore = () => writeFileSync(path, original);
  writeFileSync(path, original.slice(0, at) + g.without + original.slice(at + g.guard.length));
  const [file, name] = g.test;
  const args = [vitest, 'run', file, ...(name === '' ? [] : ['-t', name])];
  const started = Date.now();
  const run = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  putBack();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const failed =
    run.status !== 0 && /Tests\s+.*\d+ failed/.test(stripVTControlCharacters(`${run.stdout}${run.stderr}`));
  results.push({ ...g, verdict: failed ? `caught (${seconds} s)` : `NOT CAUGHT (${seconds} s)` });
  console.log(`${failed ? 'caught     ' : 'NOT CAUGHT '} ${g.id}: ${g.condition}`);
}

console.log('\n| guard | removed from | would be lost or leaked | caught by | result |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.id} | \`${r.file}\` | ${r.condition} | \`${r.test[0]}\` ${r.test[1] === '' ? '' : `(“${r.test[1]}”)`} | ${r.verdict} |`,
  );
}
process.exit(results.every((r) => r.verdict.startsWith('caught')) ? 0 : 1);
