import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import { cssIsUnsafe } from './css-safety';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** Drawing elements only: no script, foreignObject, animation (can rewrite href), iframe or audio. */
const ALLOWED_ELEMENTS = new Set([
  'svg', 'g', 'defs', 'symbol', 'use', 'title', 'desc', 'style',
  'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon',
  'text', 'tspan', 'textPath',
  'linearGradient', 'radialGradient', 'stop', 'pattern', 'clipPath', 'mask', 'marker', 'image',
  'filter', 'feBlend', 'feColorMatrix', 'feComponentTransfer', 'feComposite', 'feDropShadow', 'feFlood',
  'feFuncA', 'feFuncB', 'feFuncG', 'feFuncR', 'feGaussianBlur', 'feMerge', 'feMergeNode', 'feMorphology',
  'feOffset',
]);

const ALLOWED_NAMESPACED_ATTRIBUTES = new Set(['xlink:href', 'xml:space', 'xmlns', 'xmlns:xlink']);
const EMBEDDED_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$/;

export class SvgRejectedError extends Error {}

function cleanAttributes(element: Element): void {
  for (const attribute of Array.from(element.attributes)) {
    const name = attribute.name;
    const value = attribute.value;
    const lowered = name.toLowerCase();
    let keep = /^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(name) && !lowered.startsWith('on');
    if (keep && name.includes(':') && !ALLOWED_NAMESPACED_ATTRIBUTES.has(name)) keep = false;
    if (keep && (lowered === 'href' || lowered === 'xlink:href')) {
      const target = value.trim();
      keep = target.startsWith('#') || (element.localName === 'image' && EMBEDDED_IMAGE.test(target));
    }
    if (keep && (/javascript:|vbscript:|data:text/i.test(value) || cssIsUnsafe(value))) keep = false;
    if (!keep) element.removeAttributeNode(attribute);
  }
}

function clean(node: Node): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 1) {
      const element = child as Element;
      if (element.namespaceURI !== SVG_NS || !ALLOWED_ELEMENTS.has(element.localName ?? '')) {
        node.removeChild(child);
        continue;
      }
      if (element.localName === 'style' && cssIsUnsafe(element.textContent ?? '')) {
        node.removeChild(child);
        continue;
      }
      cleanAttributes(element);
      clean(element);
    } else if (child.nodeType === 3 || child.nodeType === 4) {
      // Text stays (titles, <text>, <style> already checked above).
    } else {
      // Comments, processing instructions, anything else.
      node.removeChild(child);
    }
  }
}

/**
 * Parses an uploaded SVG strictly and rebuilds it from an allow-list of drawing elements and
 * attributes: scripts, event handlers, foreign content, external references and DTDs are gone.
 * Throws SvgRejectedError when the document is not a well-formed SVG.
 */
export function sanitizeSvg(text: string): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new SvgRejectedError('SVG with a DTD or entities is not accepted');
  let root: Element | null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new SvgRejectedError(`Not well-formed XML: ${String(message).split('\n')[0]}`);
      },
    }).parseFromString(text, 'image/svg+xml');
    root = doc.documentElement;
  } catch (error) {
    throw error instanceof SvgRejectedError ? error : new SvgRejectedError('Not well-formed XML');
  }
  if (!root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS) {
    throw new SvgRejectedError('The document is not an SVG image (root element <svg> in the SVG namespace)');
  }
  cleanAttributes(root);
  clean(root);
  if (!root.getAttribute('xmlns')) root.setAttribute('xmlns', SVG_NS);
  if (root.getAttributeNS(XLINK_NS, 'href') !== null) root.removeAttributeNS(XLINK_NS, 'href');
  return new XMLSerializer().serializeToString(root);
}
