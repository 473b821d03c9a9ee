/**
 * Defence in depth: error messages should never carry secrets, but strip anything that looks like
 * one. Only whole keys (`Signature=...`, not the `IncompleteSignature` error code), so a message is
 * redacted without being mangled. Also made one line, and the credentials library's glued
 * "undefinedGET https://undefined/" (its URI provider, unset) is cut out. Every classified error's
 * message passes through here before it is logged or stored.
 */
export function redactMessage(message: string): string {
  return message
    .replace(/(?<![A-Za-z])(AccessKeySecret|SecurityToken|Signature|x-acs-security-token)[=:]\s*[^\s,&]+/gi, '$1=[redacted]')
    .replace(/,?\s*getaddrinfo ENOTFOUND undefined\s*GET https?:\/\/undefined\/? failed\.?/g, '')
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replaceAll('\u0000', '')
    .trim()
    .slice(0, 2000);
}
