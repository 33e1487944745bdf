// Settings › Business hours: the business calendar tickets' SLAs count in — weekly hours, holidays and
// 调休 make-up days (GET/PUT /api/v1/calendar).

import { $, api, clearProblems, fieldError, fillText, guardUnsaved, loadCatalogue, runSave, t, ApiError } from './common.js';

/// Monday to Sunday, named when the catalogue is loaded (`hours-day-1` … `hours-day-7`).
let DAYS = [];
let loaded = null;
let cal = null;

const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const minutes = (v) => { const [h, m] = v.split(':').map(Number); return h * 60 + m; };
const offsetText = (m) => `${m < 0 ? '-' : '+'}${hhmm(Math.abs(m))}`;

function parseOffset(v) {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(v.trim());
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : null;
}

function dayRow(i) {
  const h = cal.weekdays[i];
  const open = Object.assign(document.createElement('input'), { type: 'checkbox', checked: !!h });
  const from = Object.assign(document.createElement('input'), { type: 'time', value: h ? hhmm(h.open) : '09:00', disabled: !h, ariaLabel: t('hours-opens', { day: DAYS[i] }) });
  const to = Object.assign(document.createElement('input'), { type: 'time', value: h ? hhmm(h.close === 1440 ? 1439 : h.close) : '18:00', disabled: !h, ariaLabel: t('hours-closes', { day: DAYS[i] }) });
  const sync = () => {
    from.disabled = to.disabled = !open.checked;
    cal.weekdays[i] = open.checked ? { open: minutes(from.value || '00:00'), close: minutes(to.value || '00:00') } : null;
  };
  for (const el of [open, from, to]) el.addEventListener('change', sync);
  const label = document.createElement('label');
  label.className = 'switch';
  label.append(open, ` ${DAYS[i]}`);
  const row = document.createElement('div');
  row.className = 'field day-row';
  row.dataset.path = `weekdays[${i}]`;
  const times = document.createElement('div');
  times.className = 'copy-row';
  times.append(label, from, '–', to);
  row.append(times, Object.assign(document.createElement('p'), { className: 'field-error', hidden: true }));
  return row;
}

function dateChips(box, list) {
  $(box).replaceChildren(...list.map((d, i) => {
    const chip = document.createElement('span');
    chip.className = 'chip';
    const x = Object.assign(document.createElement('button'), { type: 'button', className: 'chip-x', textContent: '×', ariaLabel: t('hours-remove_date', { date: d }) });
    x.addEventListener('click', () => { list.splice(i, 1); render(); });
    chip.append(d, x);
    return chip;
  }));
}

function render() {
  $('utc-offset').value = offsetText(cal.utc_offset_minutes);
  $('weekdays').replaceChildren(...DAYS.map((_, i) => dayRow(i)));
  dateChips('holidays', cal.holidays);
  dateChips('workdays', cal.extra_workdays);
}

function addDate(input, list, other, otherName) {
  const v = $(input).value;
  if (!v) return fieldError($(input), t('hours-need_date'));
  if (list.includes(v)) return fieldError($(input), t('hours-date_listed'));
  if (other.includes(v)) return fieldError($(input), t('hours-date_other', { list: otherName }));
  fieldError($(input), '');
  list.push(v);
  list.sort();
  render();
}

/// Problems the server would refuse, said in the reader's words at their fields before sending.
function problems() {
  const out = [];
  if (parseOffset($('utc-offset').value) === null) out.push({ path: 'utc-offset', message: t('hours-bad_offset') });
  cal.weekdays.forEach((h, i) => { if (h && !(h.open < h.close)) out.push({ path: `weekdays[${i}]`, message: t('hours-close_before_open', { day: DAYS[i] }) }); });
  if (cal.weekdays.every((h) => !h)) out.push({ path: 'weekdays[0]', message: t('hours-no_day') });
  return out;
}

async function load() {
  loaded = await api('GET', '/api/v1/calendar');
  cal = structuredClone(loaded);
  clearProblems($('hours-form'));
  render();
}

async function main() {
  await loadCatalogue('settings');
  fillText();
  DAYS = [1, 2, 3, 4, 5, 6, 7].map((d) => t(`hours-day-${d}`));
  $('holiday-add').addEventListener('click', () => addDate('holiday-new', cal.holidays, cal.extra_workdays, t('hours-list_workday')));
  $('workday-add').addEventListener('click', () => addDate('workday-new', cal.extra_workdays, cal.holidays, t('hours-list_holiday')));
  $('hours-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await runSave($('hours-form'), $('form-error'), async () => {
      const found = problems();
      if (found.length) throw new ApiError(422, 'invalid_document', found[0].message, found.map((p) => ({ ...p, path: p.path === 'utc-offset' ? 'utc_offset' : p.path })));
      cal.utc_offset_minutes = parseOffset($('utc-offset').value);
      return api('PUT', '/api/v1/calendar', cal);
    }, load);
    if (saved) { loaded = saved; cal = structuredClone(saved); render(); }
  });
  $('hours-form').addEventListener('reset', (e) => { e.preventDefault(); cal = structuredClone(loaded); clearProblems($('hours-form')); render(); });
  $('utc-offset').dataset.path = 'utc_offset';
  guardUnsaved(() => loaded && JSON.stringify(cal) !== JSON.stringify(loaded));
  await load();
}

main();
