// Where queued jobs write: the folder store's put-if-absent (a second completion of a job leaves
// the first one's file alone), and the S3 store against an in-process fake of the SDK's client
// (no S3 server here): conditional writes, their 412/409 answers, listing, and a clear error when
// the SDK is not installed.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadS3Sdk, openS3Store, parseS3Url, type S3Sdk } from '../../src/cli/queue/s3-store.js';
import { FolderStore, openOutputStore } from '../../src/cli/queue/store.js';

const work = mkdtempSync(join(tmpdir(), 'rcp-store-'));

describe('folder store', () => {
  it('writes a file once: a second put of the same key finds it and changes nothing', async () => {
    const store = new FolderStore(join(work, 'once'));
    expect(await store.putIfAbsent('face/edit.png', new Uint8Array([1, 2, 3]))).toBe(true);
    const before = statSync(join(work, 'once/face/edit.png'));
    expect(await store.putIfAbsent('face/edit.png', new Uint8Array([9, 9]))).toBe(false);
    expect([...readFileSync(join(work, 'once/face/edit.png'))]).toEqual([1, 2, 3]);
    expect(statSync(join(work, 'once/face/edit.png')).ino).toBe(before.ino);
    // No temporary file is left behind, by the write or by the refused one.
    expect(readdirSync(join(work, 'once/face'))).toEqual(['edit.png']);
  });

  it('lets exactly one of many racing completions write', async () => {
    const store = new FolderStore(join(work, 'race'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putIfAbsent('a/out.png', new Uint8Array([i]))),
    );
    expect(results.filter((r) => r)).toHaveLength(1);
    expect([...readFileSync(join(work, 'race/a/out.png'))]).toEqual([results.indexOf(true)]);
    expect(readdirSync(join(work, 'race/a'))).toEqual(['out.png']);
  });

  it('lists the image folders that hold outputs and refuses keys outside the folder', async () => {
    const root = join(work, 'list');
    const store = new FolderStore(root);
    expect(await store.foldersWithOutputs()).toEqual(new Set());
    await store.putIfAbsent('one/x.png', new Uint8Array([1]));
    mkdirSync(join(root, 'empty'));
    mkdirSync(join(root, 'only-temporary'));
    writeFileSync(join(root, 'only-temporary/.x.png.1-ab.tmp'), 'partial');
    expect(await store.foldersWithOutputs()).toEqual(new Set(['one']));
    await expect(store.putIfAbsent('../escape.png', new Uint8Array([1]))).rejects.toThrow(
      "output name '../escape.png' leaves the output folder",
    );
  });

  it('opens folders relative to the current folder and names unsupported URLs', async () => {
    expect((await openOutputStore('rel/out', work)).location).toBe(join(work, 'rel/out'));
    await expect(openOutputStore('gs://bucket/x', work)).rejects.toThrow(
      '--out gs://bucket/x: only folders and s3://bucket/prefix are supported',
    );
  });
});

/** An in-memory stand-in for S3Client with the SDK v3 command shapes this store sends. */
function fakeS3(options: { conflicts?: number; pageSize?: number } = {}) {
  const objects = new Map<string, { body: Uint8Array; contentType?: string }>();
  const sent: string[] = [];
  let conflicts = options.conflicts ?? 0;
  const error = (name: string, status: number) =>
    Object.assign(new Error(`${name} (fake)`), { name, $metadata: { httpStatusCode: status } });
  class PutObjectCommand {
    constructor(readonly input: Record<string, unknown>) {}
  }
  class HeadObjectCommand {
    constructor(readonly input: Record<string, unknown>) {}
  }
  class ListObjectsV2Command {
    constructor(readonly input: Record<string, unknown>) {}
  }
  const client = {
    async send(command: { input: Record<string, unknown> }): Promise<unknown> {
      const input = command.input;
      const key = `${input.Bucket}/${input.Key ?? ''}`;
      sent.push(`${command.constructor.name} ${key}`);
      if (command instanceof HeadObjectCommand) {
        if (!objects.has(key)) throw error('NotFound', 404);
        return {};
      }
      if (command instanceof PutObjectCommand) {
        if (input.IfNoneMatch !== '*') throw new Error('the store must write conditionally');
        if (conflicts > 0) {
          conflicts--;
          throw error('ConditionalRequestConflict', 409);
        }
        if (objects.has(key)) throw error('PreconditionFailed', 412);
        objects.set(key, { body: input.Body as Uint8Array, contentType: input.ContentType as string });
        return {};
      }
      if (command instanceof ListObjectsV2Command) {
        const prefix = `${input.Bucket}/${input.Prefix}`;
        const folders = [
          ...new Set(
            [...objects.keys()]
              .filter((k) => k.startsWith(prefix))
              .map((k) => k.slice(prefix.length))
              .filter((rest) => rest.includes(input.Delimiter as string))
              .map((rest) => `${input.Prefix}${rest.split('/')[0]}/`),
          ),
        ].sort();
        const size = options.pageSize ?? 1000;
        const start = Number(input.ContinuationToken ?? 0);
        const page = folders.slice(start, start + size);
        const more = start + size < folders.length;
        return {
          CommonPrefixes: page.map((Prefix) => ({ Prefix })),
          IsTruncated: more,
          NextContinuationToken: more ? String(start + size) : undefined,
        };
      }
      throw new Error(`unexpected command ${command.constructor.name}`);
    },
  };
  // The fake commands take any input; the store only ever builds them with the shapes S3Sdk names.
  const sdk = { client, PutObjectCommand, HeadObjectCommand, ListObjectsV2Command } as unknown as S3Sdk;
  return { sdk, objects, sent };
}

describe('S3 store (against a fake client, not a server)', () => {
  it('parses s3:// targets', () => {
    expect(parseS3Url('s3://faces-out/runs/2024/')).toEqual({ bucket: 'faces-out', prefix: 'runs/2024/' });
    expect(parseS3Url('s3://faces-out')).toEqual({ bucket: 'faces-out', prefix: '' });
    expect(() => parseS3Url('s3://A_bad/x')).toThrow('expected s3://<bucket>/<prefix> with a valid bucket name');
  });

  it('writes with If-None-Match and reports a second write of the same key as already there', async () => {
    const fake = fakeS3();
    const store = await openS3Store('s3://faces-out/runs', fake.sdk);
    expect(await store.putIfAbsent('a/edit.png', new Uint8Array([1, 2]), 'image/png')).toBe(true);
    expect(fake.objects.get('faces-out/runs/a/edit.png')).toEqual({
      body: new Uint8Array([1, 2]),
      contentType: 'image/png',
    });
    expect(await store.putIfAbsent('a/edit.png', new Uint8Array([7]))).toBe(false);
    expect(fake.objects.get('faces-out/runs/a/edit.png')!.body).toEqual(new Uint8Array([1, 2]));
    expect(store.shown('a/edit.png')).toBe('s3://faces-out/runs/a/edit.png');
    // The second put stopped at the HEAD: no upload was attempted.
    expect(fake.sent.filter((s) => s.startsWith('PutObjectCommand'))).toHaveLength(1);
  });

  it('treats a 412 from the conditional write as already there and retries a 409 conflict', async () => {
    const fake = fakeS3({ conflicts: 1 });
    const store = await openS3Store('s3://faces-out', fake.sdk);
    expect(await store.putIfAbsent('b/x.png', new Uint8Array([1]))).toBe(true);
    expect(fake.sent.filter((s) => s.startsWith('PutObjectCommand'))).toHaveLength(2);
    // Another completion wrote between our HEAD and our PUT: the store's HEAD says absent, the PUT gets 412.
    const racing = fakeS3();
    const racingStore = await openS3Store('s3://faces-out', racing.sdk);
    const send = racing.sdk.client.send.bind(racing.sdk.client);
    racing.sdk.client.send = async (command) => {
      if (command instanceof racing.sdk.PutObjectCommand)
        racing.objects.set('faces-out/c/x.png', { body: new Uint8Array([5]) });
      return send(command);
    };
    expect(await racingStore.putIfAbsent('c/x.png', new Uint8Array([1]))).toBe(false);
    expect(racing.objects.get('faces-out/c/x.png')!.body).toEqual(new Uint8Array([5]));
  });

  it('lists image folders across pages and names the object in errors', async () => {
    const fake = fakeS3({ pageSize: 2 });
    const store = await openS3Store('s3://faces-out/p', fake.sdk);
    for (const f of ['a', 'b', 'c']) await store.putIfAbsent(`${f}/x.png`, new Uint8Array([1]));
    fake.objects.set('faces-out/other/z/x.png', { body: new Uint8Array([1]) });
    expect(await store.foldersWithOutputs()).toEqual(new Set(['a', 'b', 'c']));
    fake.sdk.client.send = async () => {
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    };
    await expect(store.putIfAbsent('d/x.png', new Uint8Array([1]))).rejects.toThrow(
      'cannot check s3://faces-out/p/d/x.png: AccessDenied (HTTP 403): Access Denied',
    );
  });

  it('says which package to install when the AWS SDK is missing', async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package '@aws-sdk/client-s3'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    await expect(loadS3Sdk(missing)).rejects.toThrow(
      "--out s3://… needs the AWS SDK package @aws-sdk/client-s3, which is not installed: run 'npm install @aws-sdk/client-s3' where the CLI runs",
    );
  });
});
