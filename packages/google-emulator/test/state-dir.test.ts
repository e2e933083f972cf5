/**
 * `stateDir`: an emulator restarted on the same directory is the same Google — grants refresh, mailbox and
 * calendar changes are there, history ids and sync tokens go on — and state that is not its own (another
 * seed, a corrupt file) is set aside with a warning instead of being mixed in.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorHandle, EmulatorOptions } from '../src/index.ts';
import { listAll } from './calendar-harness.ts';
import {
  calendarFor,
  failureOf,
  gmailFor,
  oauthClient,
  signedInClient,
  startTestEmulator,
} from './emulator-harness.ts';

const ADA = 'ada@example.com';
const dirs: string[] = [];
const running: EmulatorHandle[] = [];

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-state-'));
  dirs.push(dir);
  return dir;
}

async function start(options: EmulatorOptions): Promise<EmulatorHandle> {
  const emulator = await startTestEmulator({
    autoApprove: true,
    accounts: [{ email: ADA, mailboxSize: 40 }],
    ...options,
  });
  running.push(emulator);
  return emulator;
}

async function stop(emulator: EmulatorHandle): Promise<void> {
  running.splice(running.indexOf(emulator), 1);
  await emulator.close();
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const admin = (emulator: EmulatorHandle, path: string, body: unknown) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((response) => {
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  });

const sync = (api: calendar_v3.Calendar, syncToken?: string) =>
  listAll(api, { calendarId: 'primary', maxResults: 2500, ...(syncToken ? { syncToken } : {}) });

describe('an emulator with a state dir', () => {
  it('keeps grants, mailbox and calendar changes, history ids and sync tokens across a restart', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });

    // Sign-in: the refresh token is on disk before the token response reaches the client, as a digest.
    const client = await signedInClient(first, ADA);
    const { refresh_token: refreshToken, access_token: accessToken, id_token: idToken } = client.credentials;
    const onDisk = readFileSync(join(dir, 'state.json'), 'utf8');
    expect(JSON.parse(onDisk).tokens.refresh).toHaveLength(1);
    expect(onDisk).not.toContain(refreshToken);
    expect(onDisk).not.toContain(accessToken);

    const gmail = await gmailFor(first, ADA);
    const startHistoryId = (await gmail.users.getProfile({ userId: 'me' })).data.historyId!;
    const delivered = first.admin.gmail.deliver(ADA, 3).map((message) => message.id);
    const { data: listed } = await gmail.users.messages.list({ userId: 'me', maxResults: 10 });
    const [victim, starred] = [listed.messages![5]!.id!, listed.messages![6]!.id!];
    await admin(first, `/admin/gmail/${ADA}/delete`, { ids: [victim] });
    await admin(first, `/admin/gmail/${ADA}/labels`, { ids: [starred], add: ['STARRED'] });
    const historyIdBefore = (await gmail.users.getProfile({ userId: 'me' })).data.historyId!;

    // The product's own write-back through the API: a patch, one cancelled instance, an insert.
    const calendar = await calendarFor(first, ADA);
    const full = await sync(calendar);
    const single = full.items.find((e) => !e.recurrence && !e.recurringEventId && e.status === 'confirmed')!;
    const series = full.items.find((e) => e.recurrence && e.status === 'confirmed')!;
    await calendar.events.patch({
      calendarId: 'primary',
      eventId: single.id!,
      requestBody: { summary: 'Moved by Firstlight' },
    });
    const { data: instances } = await calendar.events.instances({
      calendarId: 'primary',
      eventId: series.id!,
      maxResults: 5,
    });
    const cancelled = instances.items!.find((e) => e.status === 'confirmed')!.id!;
    await calendar.events.delete({ calendarId: 'primary', eventId: cancelled });
    const { data: inserted } = await calendar.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'Written before the restart',
        start: { dateTime: '2026-11-02T10:00:00Z' },
        end: { dateTime: '2026-11-02T11:00:00Z' },
      },
    });
    const afterWrites = await sync(calendar, full.nextSyncToken!);
    expect(afterWrites.items.map((e) => e.id).sort()).toEqual([single.id, cancelled, inserted.id].sort());
    await stop(first);

    const second = await start({ stateDir: dir });
    expect(second.url).not.toBe(first.url); // a new port: nothing saved depends on it

    // Grants: the refresh token refreshes, the unexpired access token still works, old id_tokens verify.
    const refreshed = oauthClient(second);
    refreshed.setCredentials({ refresh_token: refreshToken });
    expect((await refreshed.getAccessToken()).token).toMatch(/^ya29\./);
    const userinfo = await fetch(`${second.url}/v1/userinfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(userinfo.status).toBe(200);
    // (Issued at the old address: the issuer is the origin, the signature is what the kept key proves.)
    const verifier = oauthClient(second, undefined, [first.url]);
    const ticket = await verifier.verifyIdToken({ idToken: idToken!, audience: 'firstlight-local' });
    expect(ticket.getPayload()?.email).toBe(ADA);

    // Gmail: the changes are there and history.list from the old id reports them; ids go on from there.
    const gmail2 = await gmailFor(second, ADA);
    expect((await gmail2.users.getProfile({ userId: 'me' })).data.historyId).toBe(historyIdBefore);
    const { data: history } = await gmail2.users.history.list({ userId: 'me', startHistoryId });
    const records = history.history ?? [];
    expect(records.flatMap((h) => h.messagesAdded ?? []).map((m) => m.message!.id)).toEqual(delivered);
    expect(records.flatMap((h) => h.messagesDeleted ?? []).map((m) => m.message!.id)).toEqual([victim]);
    expect(records.flatMap((h) => h.labelsAdded ?? []).map((m) => m.message!.id)).toContain(starred);
    expect((await failureOf(gmail2.users.messages.get({ userId: 'me', id: victim }))).status).toBe(404);
    const { data: kept } = await gmail2.users.messages.get({ userId: 'me', id: starred, format: 'minimal' });
    expect(kept.labelIds).toContain('STARRED');
    const later = second.admin.gmail.deliver(ADA, 1)[0]!.id;
    const { data: since } = await gmail2.users.history.list({
      userId: 'me',
      startHistoryId: historyIdBefore,
    });
    expect(since.history?.flatMap((h) => h.messagesAdded ?? []).map((m) => m.message!.id)).toEqual([later]);
    expect(Number(since.history![0]!.id)).toBeGreaterThan(Number(historyIdBefore));

    // Calendar: the writes are there; both old sync tokens still work and see exactly what came after them.
    const calendar2 = await calendarFor(second, ADA);
    const { data: patched } = await calendar2.events.get({ calendarId: 'primary', eventId: single.id! });
    expect(patched.summary).toBe('Moved by Firstlight');
    const fromFull = await sync(calendar2, full.nextSyncToken!);
    expect(fromFull.items.map((e) => e.id).sort()).toEqual([single.id, cancelled, inserted.id].sort());
    expect(fromFull.items.find((e) => e.id === cancelled)?.status).toBe('cancelled');
    expect((await sync(calendar2, afterWrites.nextSyncToken!)).items).toEqual([]);
    await calendar2.events.patch({
      calendarId: 'primary',
      eventId: inserted.id!,
      requestBody: { summary: 'Written after the restart' },
    });
    const fromLast = await sync(calendar2, afterWrites.nextSyncToken!);
    expect(fromLast.items.map((e) => [e.id, e.summary])).toEqual([
      [inserted.id, 'Written after the restart'],
    ]);
  });

  // That the save precedes the reply (onSend) is by construction: in one process it cannot be told from a save
  // on the next loop turn. What is tested: nothing waits for close().
  it('saves changes as they happen: an emulator killed without close() loses nothing it answered', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir });
    const calendar = await calendarFor(first, ADA);
    const full = await sync(calendar);
    const single = full.items.find((e) => !e.recurrence && !e.recurringEventId && e.status === 'confirmed')!;
    await calendar.events.patch({
      calendarId: 'primary',
      eventId: single.id!,
      requestBody: { summary: 'Acknowledged' },
    });
    await admin(first, `/admin/gmail/${ADA}/deliver`, { count: 1 });
    // No close(): a second emulator reads the directory while the first is as a kill -9 would leave it.
    const second = await start({ stateDir: dir });
    const { data } = await (await calendarFor(second, ADA)).events.get({
      calendarId: 'primary',
      eventId: single.id!,
    });
    expect(data.summary).toBe('Acknowledged');
    expect(second.admin.gmail.profile(ADA).messagesTotal).toBe(41);
  });

  it('keeps the data of its first day: a restart without an anchor serves the saved one', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir, anchor: Date.UTC(2026, 0, 15) });
    await stop(first);
    const second = await start({ stateDir: dir, anchor: undefined });
    expect(second.admin.gmail.anchor).toBe(Date.UTC(2026, 0, 15));
  });

  it('sets aside state saved for another seed, with a warning, and starts fresh', async () => {
    const dir = stateDir();
    const first = await start({ stateDir: dir, seed: 3 });
    const refreshToken = (await signedInClient(first, ADA)).credentials.refresh_token!;
    await stop(first);

    const warnings: string[] = [];
    const second = await start({ stateDir: dir, seed: 4, warn: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/saved for seed 3, accounts ada@example.com:40, not seed 4/);
    expect(existsSync(join(dir, 'state.json.discarded'))).toBe(true);
    const client = oauthClient(second);
    client.setCredentials({ refresh_token: refreshToken });
    expect(await failureOf(client.getAccessToken())).toMatchObject({ status: 400, reason: 'invalid_grant' });
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).identity.seed).toBe(4);
  });

  it('starts fresh, with a warning, on a corrupt state file', async () => {
    const dir = stateDir();
    writeFileSync(join(dir, 'state.json'), '{"format":"firstlight-google-emulator/state","vers');
    const warnings: string[] = [];
    const emulator = await start({ stateDir: dir, warn: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/is unreadable .*starting fresh/);
    const client = await signedInClient(emulator, ADA);
    expect(client.credentials.refresh_token).toBeTruthy();
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).tokens.refresh).toHaveLength(1);
  });
});
