// The checkpoint page's offline memory (IndexedDB, database "smx-checkpoint"): the queue of passes recorded without
// network (one record per pass, keyed by the id the device gave it: crypto.randomUUID()), and what the page needs to
// work offline (the published code-signing keys, the checkpoint and its policy, the server's clock offset). A reload,
// a closed tab or a restarted phone keeps both; a pass leaves the queue only when the server has answered it.
const DB_NAME = 'smx-checkpoint';
const QUEUE = 'queue';
const META = 'meta';

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(QUEUE)) db.createObjectStore(QUEUE, { keyPath: 'clientId' }).createIndex('checkpoint', 'checkpointId');
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'key' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

async function run(store, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const result = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Adds one pass to the queue; resolves once the transaction has committed (the pass survives a reload from then on). */
export const enqueue = pass => run(QUEUE, 'readwrite', s => { s.put(pass); });

/** The checkpoint's queued passes, oldest first (at most `limit`). */
export async function queued(checkpointId, limit = Infinity) {
  const all = await run(QUEUE, 'readonly', s => s.index('checkpoint').getAll(checkpointId));
  return all.sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)).slice(0, limit);
}

export const pendingCount = checkpointId => run(QUEUE, 'readonly', s => s.index('checkpoint').count(checkpointId));

/** Drops the passes the server has answered for good. */
export const remove = clientIds => run(QUEUE, 'readwrite', s => { for (const id of clientIds) s.delete(id); });

export const getMeta = async key => (await run(META, 'readonly', s => s.get(key)))?.value;

export const setMeta = (key, value) => run(META, 'readwrite', s => { s.put({ key, value }); });
