/** decodeBody: what a body that is not UTF-8 is reported as, and that one such body leaves nothing behind. */
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/cloud/response-body.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeBody', () => {
  it('gives the text of UTF-8, a leading BOM dropped as TextDecoder drops it', () => {
    expect(decodeBody(utf8('{"Name":"数据库备份"}'))).toEqual({ text: '{"Name":"数据库备份"}' });
    expect(decodeBody(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d))).toEqual({ text: '{}' });
    // Only the first BOM is the encoding's; a second one is text.
    expect(decodeBody(bytes(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf))).toEqual({ text: '\ufeff' });
    // A view into a larger buffer decodes its own bytes only.
    const big = utf8('xx{"a":1}yy');
    expect(decodeBody(big.subarray(2, 9))).toEqual({ text: '{"a":1}' });
  });

  it('names the first byte that is not UTF-8', () => {
    expect(decodeBody(bytes(0x7b, 0xff, 0x7d))).toEqual({ invalidAt: 1 });
    expect(decodeBody(bytes(0x41, 0xe4, 0x41))).toEqual({ invalidAt: 2 });
    // An encoded surrogate and an overlong form are not UTF-8 either.
    expect(decodeBody(bytes(0xed, 0xa0, 0x80))).toEqual({ invalidAt: 1 });
    expect(decodeBody(bytes(0xc0, 0x80))).toEqual({ invalidAt: 0 });
    // A sequence cut off at the end: the byte after the last.
    expect(decodeBody(bytes(0x41, 0xe4, 0xb8))).toEqual({ invalidAt: 3 });
  });

  it('a body cut off mid-character does not spoil the next body', () => {
    // The search for the offending byte once ran a shared decoder in streaming mode, which kept
    // the cut-off bytes and put them in front of the next body: a valid answer then failed.
    expect(decodeBody(bytes(0x41, 0xe4))).toEqual({ invalidAt: 2 });
    expect(decodeBody(utf8('{"TotalCount":0}'))).toEqual({ text: '{"TotalCount":0}' });
  });
});
