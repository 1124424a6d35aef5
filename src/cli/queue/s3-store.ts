// `--out s3://bucket/prefix`: outputs in an S3-compatible bucket through the AWS SDK v3. The SDK is
// not a dependency of the project (it is large and only this option needs it), so it is imported
// when an s3:// output is first used, and its absence is an error that says what to install.
// Put-if-absent is S3's conditional write (PutObject with If-None-Match: *), the bucket's own
// counterpart of the no-clobber rename the folder store uses.
import type { OutputStore } from './store.js';

export const S3_PACKAGE = '@aws-sdk/client-s3';

/** The part of an SDK v3 command this module reads back: what it was created with. */
interface S3Command {
  readonly input: Record<string, unknown>;
}

/** What this store needs from `@aws-sdk/client-s3`: a client and three command classes. */
export interface S3Sdk {
  client: { send(command: S3Command): Promise<unknown> };
  PutObjectCommand: new (input: PutInput) => S3Command;
  HeadObjectCommand: new (input: { Bucket: string; Key: string }) => S3Command;
  ListObjectsV2Command: new (input: ListInput) => S3Command;
}

interface PutInput {
  Bucket: string;
  Key: string;
  Body: Uint8Array;
  ContentType?: string;
  IfNoneMatch: '*';
}

interface ListInput {
  Bucket: string;
  Prefix: string;
  Delimiter: string;
  ContinuationToken?: string;
}

interface ListOutput {
  CommonPrefixes?: { Prefix?: string }[];
  NextContinuationToken?: string;
  IsTruncated?: boolean;
}

/** Splits s3://bucket/some/prefix into the bucket and a prefix that is empty or ends in '/'. */
export function parseS3Url(target: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(target);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!))
    throw new Error(`--out ${target}: expected s3://<bucket>/<prefix> with a valid bucket name`);
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, prefix: prefix === '' ? '' : `${prefix}/` };
}

type Importer = (specifier: string) => Promise<unknown>;

/**
 * The SDK's client and commands. The client reads its region, credentials and endpoint the SDK's
 * usual way (AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile, AWS_ENDPOINT_URL_S3
 * or AWS_ENDPOINT_URL for an S3-compatible server); with a custom endpoint, buckets are addressed
 * by path (endpoint/bucket/key), which MinIO and most other servers expect.
 */
export async function loadS3Sdk(importer: Importer = (s) => import(/* @vite-ignore */ s)): Promise<S3Sdk> {
  let sdk: Record<string, unknown>;
  try {
    sdk = (await importer(S3_PACKAGE)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(
        `--out s3://… needs the AWS SDK package ${S3_PACKAGE}, which is not installed: run 'npm install ${S3_PACKAGE}' where the CLI runs`,
      );
    throw e;
  }
  const S3Client = sdk.S3Client as new (config: Record<string, unknown>) => S3Sdk['client'];
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  return {
    client: new S3Client(endpoint ? { forcePathStyle: true } : {}),
    PutObjectCommand: sdk.PutObjectCommand as S3Sdk['PutObjectCommand'],
    HeadObjectCommand: sdk.HeadObjectCommand as S3Sdk['HeadObjectCommand'],
    ListObjectsV2Command: sdk.ListObjectsV2Command as S3Sdk['ListObjectsV2Command'],
  };
}

export async function openS3Store(target: string, sdk?: S3Sdk): Promise<OutputStore> {
  const { bucket, prefix } = parseS3Url(target);
  return new S3Store(target.replace(/\/+$/, ''), bucket, prefix, sdk ?? (await loadS3Sdk()));
}

/** The HTTP status of an SDK v3 error (its $metadata), or undefined for other errors. */
function statusOf(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

export class S3Store implements OutputStore {
  constructor(
    readonly location: string,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly sdk: S3Sdk,
  ) {}

  shown(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  async putIfAbsent(key: string, bytes: Uint8Array, contentType?: string): Promise<boolean> {
    const Key = this.prefix + key;
    // A cheap look first: a repeated job usually finds every file there and uploads nothing.
    try {
      await this.sdk.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key }));
      return false;
    } catch (e) {
      if (statusOf(e) !== 404 && (e as Error).name !== 'NotFound') throw this.failure('check', key, e);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sdk.client.send(
          new this.sdk.PutObjectCommand({
            Bucket: this.bucket,
            Key,
            Body: bytes,
            ContentType: contentType,
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (e) {
        // 412: the object exists (another completion won). 409: a conflicting write was in flight; S3 asks for a retry.
        if (statusOf(e) === 412 || (e as Error).name === 'PreconditionFailed') return false;
        if ((statusOf(e) === 409 || (e as Error).name === 'ConditionalRequestConflict') && attempt < 3) continue;
        throw this.failure('write', key, e);
      }
    }
  }

  async foldersWithOutputs(): Promise<Set<string>> {
    const found = new Set<string>();
    let token: string | undefined;
    do {
      let page: ListOutput;
      try {
        page = (await this.sdk.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        )) as ListOutput;
      } catch (e) {
        throw this.failure('list', '', e);
      }
      for (const p of page.CommonPrefixes ?? []) {
        const name = p.Prefix?.slice(this.prefix.length).replace(/\/$/, '');
        if (name) found.add(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  private failure(what: string, key: string, e: unknown): Error {
    const status = statusOf(e);
    return new Error(
      `cannot ${what} ${this.shown(key)}: ${(e as Error).name ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`,
    );
  }
}
