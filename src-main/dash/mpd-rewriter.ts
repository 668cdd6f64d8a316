import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';

/**
 * Rewrites a DASH MPD for one viewer (pure; the XML through @xmldom/xmldom, never regexes):
 *
 * - every media URL — SegmentTemplate `media`/`initialization`/`index`, SegmentURL, Initialization
 *   and RepresentationIndex `sourceURL`, a Representation's own BaseURL — is resolved against the
 *   manifest URL and the BaseURL chain (MPD → Period → AdaptationSet → Representation), then
 *   replaced by what `mediaUrl` says the player should fetch; the BaseURL elements go (a query
 *   string on a base would not reach relative segment URLs), as do `Location` and `PatchLocation`
 *   (the player reloads the manifest from where it got it);
 * - every AdaptationSet gets the CAS's ContentProtection, replacing any the origin wrote:
 *   `urn:mpeg:dash:mp4protection:2011` with `cenc:default_KID` (without it Shaka stalls silently)
 *   and ClearKey with its license URL in `dashif:Laurl`, so a player needs no configuration.
 *
 * A SegmentTemplate or SegmentList is resolved against the base of the element that holds it.
 */

const MPD_NS = 'urn:mpeg:dash:schema:mpd:2011';
const CENC_NS = 'urn:mpeg:cenc:2013';
const DASHIF_NS = 'https://dashif.org/CPS';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const MP4_PROTECTION_SCHEME = 'urn:mpeg:dash:mp4protection:2011';
export const CLEARKEY_SCHEME = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';

export class MpdRejectedError extends Error {}

export interface MpdRewrite {
  /** Where the origin manifest was read: relative URLs resolve against it. */
  manifestUrl: URL;
  /** What the viewer's player fetches for a media URL (resolved, possibly with `$Number$` templates). */
  mediaUrl(url: URL): string;
  /** The KID (UUID form) of a Period, by its `id` attribute (null when it has none). */
  defaultKidOf(periodId: string | null): string;
  /** The ClearKey license URL written into `dashif:Laurl`. */
  licenseUrl: string;
}

/** Elements whose attributes name media, and which attributes. */
const URL_ATTRIBUTES: Record<string, readonly string[]> = {
  SegmentTemplate: ['media', 'initialization', 'index', 'bitstreamSwitching'],
  SegmentURL: ['media', 'index'],
  Initialization: ['sourceURL'],
  RepresentationIndex: ['sourceURL'],
  BitstreamSwitching: ['sourceURL'],
};
const SEGMENT_INFO = new Set(['SegmentTemplate', 'SegmentList']);
/** ContentProtection goes after these in an AdaptationSet (the MPD schema's order). */
const BEFORE_CONTENT_PROTECTION = new Set(['FramePacking', 'AudioChannelConfiguration']);

function children(parent: Element, localName?: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (localName === undefined || (node as Element).localName === localName)) out.push(node as Element);
  }
  return out;
}

function parseMpd(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new MpdRejectedError('An MPD with a DTD or entities is not accepted');
  try {
    return new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new MpdRejectedError(`Not well-formed XML: ${String(message).split('\n')[0]}`);
      },
    }).parseFromString(xml, 'application/xml');
  } catch (error) {
    throw error instanceof MpdRejectedError ? error : new MpdRejectedError('Not well-formed XML');
  }
}

/** The base URL in scope below `element`: its first BaseURL resolved against the parent's; the BaseURLs removed. */
function takeBase(element: Element, parentBase: URL): URL {
  let base = parentBase;
  for (const baseUrl of children(element, 'BaseURL')) {
    if (base === parentBase) {
      try {
        base = new URL((baseUrl.textContent ?? '').trim(), parentBase);
      } catch {
        // An unparsable BaseURL is ignored, like a player would.
      }
    }
    element.removeChild(baseUrl);
  }
  return base;
}

function rewriteUrlAttributes(element: Element, base: URL, rw: MpdRewrite): void {
  const names = URL_ATTRIBUTES[element.localName ?? ''];
  if (names) {
    for (const name of names) {
      const value = element.getAttribute(name);
      if (value === null || value === '') continue;
      let resolved: URL;
      try {
        resolved = new URL(value, base);
      } catch {
        continue;
      }
      element.setAttribute(name, rw.mediaUrl(resolved));
    }
  }
  for (const child of children(element)) rewriteUrlAttributes(child, base, rw);
}

function hasSegmentInfo(element: Element): boolean {
  return children(element).some((c) => SEGMENT_INFO.has(c.localName ?? ''));
}

function protectionElements(doc: Document, defaultKid: string, licenseUrl: string): Element[] {
  const mp4 = doc.createElementNS(MPD_NS, 'ContentProtection');
  mp4.setAttribute('schemeIdUri', MP4_PROTECTION_SCHEME);
  mp4.setAttribute('value', 'cenc');
  mp4.setAttributeNS(CENC_NS, 'cenc:default_KID', defaultKid);
  const clearKey = doc.createElementNS(MPD_NS, 'ContentProtection');
  clearKey.setAttribute('schemeIdUri', CLEARKEY_SCHEME);
  clearKey.setAttribute('value', 'ClearKey1.0');
  const laurl = doc.createElementNS(DASHIF_NS, 'dashif:Laurl');
  laurl.setAttribute('Lic_type', 'EME-1.0');
  laurl.appendChild(doc.createTextNode(licenseUrl));
  clearKey.appendChild(laurl);
  return [mp4, clearKey];
}

function protect(doc: Document, adaptationSet: Element, defaultKid: string, rw: MpdRewrite): void {
  for (const holder of [adaptationSet, ...children(adaptationSet, 'Representation')]) {
    for (const old of children(holder, 'ContentProtection')) holder.removeChild(old);
  }
  const before = children(adaptationSet).find((c) => !BEFORE_CONTENT_PROTECTION.has(c.localName ?? '')) ?? null;
  for (const element of protectionElements(doc, defaultKid, rw.licenseUrl)) adaptationSet.insertBefore(element, before);
}

/** The MPD rewritten for one viewer; throws MpdRejectedError when the text is not an MPD. */
export function rewriteMpd(xml: string, rw: MpdRewrite): string {
  const doc = parseMpd(xml);
  const mpd = doc.documentElement;
  if (!mpd || mpd.localName !== 'MPD') throw new MpdRejectedError('The document is not a DASH MPD (root element <MPD>)');
  mpd.setAttributeNS(XMLNS_NS, 'xmlns:cenc', CENC_NS);
  mpd.setAttributeNS(XMLNS_NS, 'xmlns:dashif', DASHIF_NS);
  for (const location of [...children(mpd, 'Location'), ...children(mpd, 'PatchLocation')]) mpd.removeChild(location);

  const mpdBase = takeBase(mpd, rw.manifestUrl);
  for (const period of children(mpd, 'Period')) {
    const periodBase = takeBase(period, mpdBase);
    const defaultKid = rw.defaultKidOf(period.getAttribute('id'));
    for (const element of children(period)) {
      if (element.localName !== 'AdaptationSet') {
        if (SEGMENT_INFO.has(element.localName ?? '') || element.localName === 'SegmentBase') rewriteUrlAttributes(element, periodBase, rw);
        continue;
      }
      const adaptationSet = element;
      const setBase = takeBase(adaptationSet, periodBase);
      protect(doc, adaptationSet, defaultKid, rw);
      for (const child of children(adaptationSet)) {
        if (child.localName !== 'Representation') {
          rewriteUrlAttributes(child, setBase, rw);
          continue;
        }
        const hadBase = children(child, 'BaseURL').length > 0;
        const representationBase = takeBase(child, setBase);
        rewriteUrlAttributes(child, representationBase, rw);
        // A Representation without segment templates or lists names its media file by its BaseURL.
        if (hadBase && !hasSegmentInfo(child) && !hasSegmentInfo(adaptationSet) && !hasSegmentInfo(period)) {
          const baseUrl = doc.createElementNS(MPD_NS, 'BaseURL');
          baseUrl.appendChild(doc.createTextNode(rw.mediaUrl(representationBase)));
          child.insertBefore(baseUrl, child.firstChild);
        }
      }
    }
  }
  return new XMLSerializer().serializeToString(doc);
}
