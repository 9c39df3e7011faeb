/** Adds items to the list a map holds under `key`, making the list on first use (no copy per item). */
export function appendTo<K, V>(map: Map<K, V[]>, key: K, ...items: V[]): void {
  const list = map.get(key);
  if (list) list.push(...items);
  else map.set(key, items);
}
