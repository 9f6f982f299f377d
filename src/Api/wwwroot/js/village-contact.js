// The village's public duty phone (issue 17) on the village console: an office number residents with a red or yellow code
// are shown (as a tel: link) with their code. Village staff of the village and administrators set or clear it
// (PUT /api/villages/{code}/contact, audited); others see it read-only.
import { register, fill, t } from './i18n.js';
import { $ } from './dom.js';
import { session } from './session.js';
import { formatDateTime } from './format.js';

register({
  'contact.heading': ['村（社区）值班电话', 'Village duty phone'],
  'contact.intro': ['红码、黄码居民在健康码页面看到此号码（办公电话，非个人号码）；留空保存即删除', 'Residents with a red or yellow code see this number with their code (an office number, not a personal one); save it empty to remove it'],
  'contact.phone': ['值班电话', 'Duty phone'],
  'contact.save': ['保存', 'Save'],
  'contact.saved': ['值班电话已保存', 'Duty phone saved'],
  'contact.none': ['尚未设置', 'Not set'],
  'contact.updated': ['更新于', 'Updated'],
  'contact.readOnly': ['仅村（社区）工作人员或管理员可修改', 'Only the village\'s staff or an administrator changes it'],
});

/** Wires the card; `villageCode()` names the open village; `helpers` are the page's api and messages. */
export function setupVillageContact(villageCode, { api, busy, showNotice }) {
  const form = $('village-contact-form');
  form.addEventListener('submit', e => {
    e.preventDefault();
    busy(form.querySelector('[type="submit"]'), form, async () => {
      const code = villageCode();
      if (!code) return;
      const saved = await api('PUT', `/api/villages/${encodeURIComponent(code)}/contact`, { dutyPhone: form.elements.dutyPhone.value.trim() });
      render(saved);
      showNotice(t('contact.saved'));
    });
  });
}

/** Reads the open village's duty phone into the card. */
export async function loadVillageContact(code, api) {
  render(await api('GET', `/api/villages/${encodeURIComponent(code)}/contact`));
}

function render(contact) {
  const form = $('village-contact-form');
  const canEdit = ['village', 'admin'].includes(session.info?.role);
  form.elements.dutyPhone.value = contact?.dutyPhone ?? '';
  form.elements.dutyPhone.readOnly = !canEdit;
  form.querySelector('[type="submit"]').hidden = !canEdit;
  $('village-contact-readonly').hidden = canEdit;
  const card = $('village-contact-card');
  card.dataset.phone = contact?.dutyPhone ?? '';
  const meta = $('village-contact-meta');
  if (contact?.updatedAt) {
    fill(meta, 'contact.updated');
    meta.append(` ${formatDateTime(contact.updatedAt)} · ${contact.updatedBy ?? ''}`);
  } else {
    fill(meta, 'contact.none');
  }
  card.hidden = false;
}
