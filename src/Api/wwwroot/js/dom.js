// Two small DOM helpers every page uses: find by data-testid, and build an element (no innerHTML, so a strict
// Content-Security-Policy with Trusted Types has nothing to object to).

/** The first element with this data-testid under root. */
export const $ = (testid, root = document) => root.querySelector(`[data-testid="${testid}"]`);

/**
 * A new element: h('p', { class: 'hint', 'data-i18n': 'key', hidden: true }, child, 'text', ...).
 * Attributes set to false, null or undefined are left out; true sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children);
  return el;
}
