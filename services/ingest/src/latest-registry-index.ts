import { indexRegistry, type Manifest, type RegistryIndex } from '@meterline/domain';

/**
 * The registry index ingest checks each payload against, synchronously: built again only when
 * `latest` gives another manifest than last time (an entry read from the registry topic), so a
 * change takes effect on the next payload and costs nothing while there is none.
 */
export function latestRegistryIndex(latest: () => Manifest): () => RegistryIndex {
  let indexed: { manifest: Manifest; index: RegistryIndex } | undefined;
  return () => {
    const manifest = latest();
    if (indexed?.manifest !== manifest) indexed = { manifest, index: indexRegistry(manifest) };
    return indexed.index;
  };
}
