import type { SeedDocument } from '../../src/emulator/index.js';

/** A small hand-written seed whose every image exists to make one filter or edge observable. */
export const A = { uid: '1234567890123456', accessKeyId: 'LTAItestAccountA', accessKeySecret: 'secretA-0123456789' };
export const B = { uid: '1987654321098765', accessKeyId: 'LTAItestAccountB', accessKeySecret: 'secretB-0123456789' };
export const STS_A = { uid: A.uid, accessKeyId: 'STS.testTokenA', accessKeySecret: 'stsSecretA', securityToken: 'CAIS-valid-token-A' };
export const STS_EXPIRED = { uid: A.uid, accessKeyId: 'STS.expiredA', accessKeySecret: 'stsExpiredSecret', securityToken: 'CAIS-expired-token' };

export function fixtureSeed(): SeedDocument {
  return {
    accounts: [
      {
        uid: A.uid,
        name: 'account A',
        accessKeys: [
          { accessKeyId: A.accessKeyId, accessKeySecret: A.accessKeySecret },
          { accessKeyId: STS_A.accessKeyId, accessKeySecret: STS_A.accessKeySecret, securityToken: STS_A.securityToken },
          { accessKeyId: STS_EXPIRED.accessKeyId, accessKeySecret: STS_EXPIRED.accessKeySecret, securityToken: STS_EXPIRED.securityToken, expiresAt: '2020-01-01T00:00:00Z' },
        ],
      },
      { uid: B.uid, accessKeys: [{ accessKeyId: B.accessKeyId, accessKeySecret: B.accessKeySecret }] },
    ],
    images: [
      {
        imageId: 'm-a001', ownerUid: A.uid, regionId: 'cn-hangzhou', name: 'web-01', status: '1', creationTime: '2024-01-03T00:00:00Z',
        tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'web' }], resourceGroupId: 'rg-1', instanceId: 'i-1',
        systemSnapshotId: 's-sys1', dataSnapshotId: 's-data1', createInstances: ['ci-1', 'ci-2'], description: '自定义镜像-1',
      },
      {
        imageId: 'm-a002', ownerUid: A.uid, regionId: 'cn-hangzhou', name: '数据库备份', status: '0', creationTime: '2024-01-02T00:00:00Z',
        tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'db' }], resourceGroupId: 'rg-2', instanceId: 'i-2', systemSnapshotId: 's-sys2',
      },
      {
        imageId: 'm-a003', ownerUid: A.uid, regionId: 'cn-hangzhou', name: 'web-02', status: '3', creationTime: '2024-01-01T00:00:00Z',
        tags: [{ key: 'env', value: 'test' }, { key: 'team', value: 'web' }], resourceGroupId: 'rg-1',
      },
      // Same CreationTime as m-a003: the ImageId breaks the tie, so paging stays deterministic.
      { imageId: 'm-a004', ownerUid: A.uid, regionId: 'cn-hangzhou', name: 'web-03', status: '4', creationTime: '2024-01-01T00:00:00Z' },
      { imageId: 'm-a101', ownerUid: A.uid, regionId: 'cn-shanghai', name: 'shanghai-01', status: '2', creationTime: '2024-02-01T00:00:00Z' },
      { imageId: 'm-b001', ownerUid: B.uid, regionId: 'cn-hangzhou', name: 'shared-from-b', creationTime: '2024-01-05T00:00:00Z', sharedWith: [A.uid] },
      { imageId: 'm-b002', ownerUid: B.uid, regionId: 'cn-hangzhou', name: 'private-to-b', creationTime: '2024-01-06T00:00:00Z' },
    ],
  };
}
