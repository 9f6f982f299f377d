// How every page shows an RFC 9457 problem's field errors: in the alert's list and next to the form's fields.

/** "$.idNumber" or "IdNumber" (server spellings) → "idNumber" (the form's field names). */
export function normaliseField(key) {
  const k = String(key).replace(/^\$\.?/, '');
  return k ? k[0].toLowerCase() + k.slice(1) : k;
}

/** Lists each field's reasons in `list` and in the form's `.field-error[data-field]` slot, marking the input invalid. */
export function showFieldErrors(problem, form, list, labelOf) {
  const fields = problem?.errors && typeof problem.errors === 'object' ? problem.errors : {};
  for (const [raw, reasons] of Object.entries(fields)) {
    const field = normaliseField(raw);
    const texts = Array.isArray(reasons) ? reasons : [String(reasons)];
    const li = document.createElement('li');
    li.dataset.field = field;
    li.textContent = `${labelOf(field)}: ${texts.join('; ')}`;
    list.append(li);
    const slot = form?.querySelector(`.field-error[data-field="${field}"]`);
    if (slot) {
      slot.textContent = texts.join('; ');
      form.querySelector(`[name="${field}"]`)?.setAttribute('aria-invalid', 'true');
    }
  }
}
