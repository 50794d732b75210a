// Which discovery document answers a path (`/version`, `/api`, `/apis`, `/api/v1`,
// `/apis/<group>/<version>`), with the hidden API groups (a cluster without those CRDs) left out.
import { apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './resources.ts';

/** The document for `path`, or undefined when the path is not a discovery endpoint. */
export function discoveryDocument(
  path: string,
  serverAddress: string,
  hiddenGroups: ReadonlySet<string>,
): unknown {
  if (path === '/version') return versionInfo();
  if (path === '/api') return coreApiVersions(serverAddress);
  if (path === '/apis') {
    const list = apiGroupList();
    return { ...list, groups: list.groups.filter((g) => !hiddenGroups.has(g.name)) };
  }
  if (path === '/api/v1') return apiResourceList('', 'v1');
  const group = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (group) return apiResourceList(group[1] ?? '', group[2] ?? '');
  return undefined;
}
