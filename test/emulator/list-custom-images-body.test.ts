import { describe, expect, it } from 'vitest';
import { ImageStore } from '../../src/emulator/image-store.js';
import { parseListCustomImagesQuery } from '../../src/emulator/list-custom-images-params.js';
import { listCustomImagesBody, listCustomImagesBytes, pageOfImages } from '../../src/emulator/list-custom-images.js';
import { parseSeed } from '../../src/emulator/seed-format.js';
import { A, B, fixtureSeed } from './fixture-seed.js';

const store = () => new ImageStore(parseSeed(fixtureSeed()), () => new Date('2026-01-01T00:00:00Z'));
const query = (params: Record<string, string>) => parseListCustomImagesQuery(new Map(Object.entries({ RegionId: 'cn-hangzhou', ...params })));

describe('the cached-bytes page equals the plain JSON of the page', () => {
  it('byte for byte, including Chinese text and an empty page', () => {
    const s = store();
    const cases: Array<Record<string, string>> = [{}, { PageSize: '2', PageNumber: '2' }, { PageNumber: '9' }, { ImageNames: '["数据库备份"]' }];
    for (const params of cases) {
      const q = query(params);
      const page = pageOfImages(s.visibleImages(A.uid, 'cn-hangzhou', q.share), q);
      const bytes = listCustomImagesBytes('REQ-1', q, page);
      expect(bytes.equals(Buffer.from(JSON.stringify(listCustomImagesBody('REQ-1', q, page)), 'utf8'))).toBe(true);
      expect(JSON.parse(bytes.toString('utf8'))).toEqual(listCustomImagesBody('REQ-1', q, page));
    }
  });

  it('an update is visible at once (the cache is keyed by the image object, which updates replace)', () => {
    const s = store();
    const q = query({ ImageIds: '["m-a001"]' });
    const before = listCustomImagesBytes('R', q, pageOfImages(s.visibleImages(A.uid, 'cn-hangzhou', undefined), q)).toString();
    expect(before).toContain('"Name":"web-01"');
    s.updateImage('m-a001', { name: '改名 renamed' });
    const after = listCustomImagesBytes('R', q, pageOfImages(s.visibleImages(A.uid, 'cn-hangzhou', undefined), q)).toString();
    expect(after).toContain('"Name":"改名 renamed"');
    expect(after).not.toContain('web-01');
  });
});

describe('the (account, region) index behind listings', () => {
  const ids = (s: ImageStore, uid: string, regionId: string, share?: boolean) => s.visibleImages(uid, regionId, share).map((i) => i.imageId);

  it('follows every change of owner, region, share and existence', () => {
    const s = store();
    const hangzhou = ids(s, A.uid, 'cn-hangzhou');
    expect(hangzhou).toContain('m-a001');
    s.updateImage('m-a001', { regionId: 'cn-shanghai' });
    expect(ids(s, A.uid, 'cn-hangzhou')).toEqual(hangzhou.filter((id) => id !== 'm-a001'));
    expect(ids(s, A.uid, 'cn-shanghai')).toContain('m-a001');

    expect(ids(s, B.uid, 'cn-shanghai')).not.toContain('m-a001');
    s.shareImage('m-a001', B.uid);
    expect(ids(s, B.uid, 'cn-shanghai')).toContain('m-a001');
    expect(ids(s, B.uid, 'cn-shanghai', false)).not.toContain('m-a001');
    s.unshareImage('m-a001', B.uid);
    expect(ids(s, B.uid, 'cn-shanghai')).not.toContain('m-a001');

    s.deleteImage('m-a001');
    expect(ids(s, A.uid, 'cn-shanghai')).not.toContain('m-a001');
    const created = s.createImage({ ownerUid: B.uid, regionId: 'cn-hangzhou', name: 'new', creationTime: '2030-01-01T00:00:00Z' });
    expect(ids(s, B.uid, 'cn-hangzhou')[0]).toBe(created.imageId);
    expect(ids(s, A.uid, 'cn-hangzhou')).not.toContain(created.imageId);
  });
});
