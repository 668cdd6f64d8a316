/**
 * Checks that run inside the dashboard's page (installed as `window.casChecks` by an init
 * script). Plain browser JavaScript in a string: the tests' TypeScript has no DOM types.
 */
export const PAGE_CHECKS = String.raw`
window.casChecks = {
  /**
   * What the operator can read: visible text, placeholders, titles of visible elements. Data is
   * left out: code-formatted names (CSV columns, ids, actions) and raw JSON (audit details).
   */
  visibleText() {
    const codes = [...document.querySelectorAll('code, kbd')].map((e) => (e.textContent || '').trim()).filter(Boolean);
    const parts = document.body.innerText.split('\n').map((line) => codes.reduce((rest, code) => rest.split(code).join(' '), line));
    for (const element of document.querySelectorAll('[placeholder], [title]')) {
      if (!element.checkVisibility()) continue;
      for (const name of ['placeholder', 'title']) {
        const value = element.getAttribute(name);
        if (value) parts.push(value);
      }
    }
    return parts.map((line) => line.split('\t').filter((cell) => !cell.trim().startsWith('{')).join('\t')).join('\n');
  },

  /** Words broken inside, cropped images, truncated select values, options and headers. */
  layoutFaults() {
    const faults = [];
    const visible = (element) => (element.checkVisibility ? element.checkVisibility() : true);
    const describe = (element) => '<' + element.tagName.toLowerCase() + ' class="' + element.className + '">';
    for (const element of document.querySelectorAll('body *')) {
      const style = getComputedStyle(element);
      if ((style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere') && visible(element) && (element.textContent || '').trim()) {
        faults.push('break-all on ' + describe(element));
      }
    }
    // A word (split at spaces, hyphens and slashes, where a break is allowed) laid out on two lines.
    const labelled = 'th, label, button, .ant-menu-title-content, .ant-tabs-tab, .ant-tag, .ant-card-head-title, .ant-descriptions-item-label, .ant-drawer-title, .ant-modal-title, .ant-statistic-title';
    for (const element of document.querySelectorAll(labelled)) {
      // A switch keeps both of its texts and slides the other out of sight.
      if (!visible(element) || element.closest('.ant-switch')) continue;
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent || '';
        for (const match of text.matchAll(/[^\s\-/\u2010]{2,}/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) faults.push('word broken: "' + match[0] + '" in ' + describe(element) + '"' + text.trim() + '"');
        }
      }
    }
    for (const image of document.querySelectorAll('img')) {
      if (!visible(image)) continue;
      const box = image.getBoundingClientRect();
      if (getComputedStyle(image).objectFit === 'cover') faults.push('cropped image ' + image.src);
      for (let parent = image.parentElement; parent; parent = parent.parentElement) {
        if (getComputedStyle(parent).overflow === 'visible') continue;
        const frame = parent.getBoundingClientRect();
        if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1) {
          faults.push('cropped image ' + (image.alt || image.src));
        }
        break;
      }
    }
    const truncated = '.ant-select-content, .ant-select-content *, .ant-select-item-option-content, th, .ant-tabs-tab-btn, .ant-form-item-label > label';
    for (const element of document.querySelectorAll(truncated)) {
      if (!visible(element) || !(element.textContent || '').trim()) continue;
      if (element.scrollWidth > element.clientWidth + 1) faults.push('truncated: "' + element.textContent.trim() + '"');
    }
    return faults;
  },

  /** Inputs the browser itself would validate, in its own language. */
  nativeValidation() {
    const selector = 'input[required], textarea[required], select[required], input[type=email], input[type=url], input[pattern], input[min], input[max], input[minlength]';
    return [...document.querySelectorAll(selector)].map((element) => element.outerHTML.slice(0, 120));
  },

  /** The widest option text of the open dropdown (an option box itself stretches to the dropdown). */
  widestOption(dropdown) {
    let widest = 0;
    for (const option of dropdown.querySelectorAll('.ant-select-item-option-content')) {
      const text = document.createRange();
      text.selectNodeContents(option);
      widest = Math.max(widest, Math.ceil(text.getBoundingClientRect().width));
    }
    return widest;
  },
};
`;
