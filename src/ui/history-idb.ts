// The run history's IndexedDB backend. Written against the browser's IndexedDB directly: four
// calls on one object store need only a promise around each request, and the usual wrapper
// (idb) is not among the app's dependencies.
import type { HistoryBackend, HistoryEntry } from './run-history.js';

const DB_NAME = 'rete-clip-pae';
const STORE = 'run-history';
const VERSION = 1;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function finished(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted'));
  });
}

export function openHistoryDatabase(name = DB_NAME): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') return Promise.reject(new Error('this browser has no IndexedDB'));
  const open = indexedDB.open(name, VERSION);
  open.onupgradeneeded = () => {
    if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE, { keyPath: 'id' });
  };
  return request(open);
}

export function indexedDbHistory(db: Promise<IDBDatabase>): HistoryBackend {
  const tx = async (mode: IDBTransactionMode) => (await db).transaction(STORE, mode);
  return {
    async all() {
      return request((await tx('readonly')).objectStore(STORE).getAll() as IDBRequest<HistoryEntry[]>);
    },
    async put(entry) {
      const t = await tx('readwrite');
      t.objectStore(STORE).put(entry);
      await finished(t);
    },
    async delete(ids) {
      const t = await tx('readwrite');
      for (const id of ids) t.objectStore(STORE).delete(id);
      await finished(t);
    },
    async clear() {
      const t = await tx('readwrite');
      t.objectStore(STORE).clear();
      await finished(t);
    },
  };
}
