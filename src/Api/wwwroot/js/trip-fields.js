// What the resident portal's co-traveler forms (index.html) and the commanders' publication page (trips.html)
// say about a trip alike: the travel modes, the field labels, and a seat written out in the page's language.
import { register, t, currentLanguage } from './i18n.js';

register({
  'trip.mode': ['出行方式', 'Travel mode'],
  'trip.number': ['车次 / 航班号 / 线路 / 车牌', 'Train / flight / route / plate'],
  'trip.date': ['出行日期', 'Date of travel'],
  'trip.carriage': ['车厢', 'Carriage'],
  'trip.row': ['排号', 'Row'],
  'trip.seat': ['座位号', 'Seat'],
  'trip.carriageOptional': ['车厢（选填）', 'Carriage (optional)'],
  'trip.rowOptional': ['排号（选填）', 'Row (optional)'],
  'mode.Train': ['火车', 'Train'],
  'mode.Flight': ['飞机', 'Flight'],
  'mode.Coach': ['客车', 'Coach'],
  'mode.Car': ['自驾车', 'Car'],
  'mode.Other': ['其他', 'Other'],
});

export const MODES = ['Train', 'Flight', 'Coach', 'Car', 'Other'];

/** Fills a mode <select> with one option per travel mode. */
export function addModeOptions(select) {
  for (const mode of MODES) {
    const option = document.createElement('option');
    option.value = mode;
    option.textContent = t(`mode.${mode}`);
    select.append(option);
  }
}

/** "3车厢 12排" (English: "carriage 3, row 12"); '' when nothing is known. */
export function seatText(carriage, row, seat) {
  const zh = [], en = [];
  if (carriage != null) { zh.push(`${carriage}车厢`); en.push(`carriage ${carriage}`); }
  if (row != null) { zh.push(`${row}排`); en.push(`row ${row}`); }
  if (seat) { zh.push(`${seat}座`); en.push(`seat ${seat}`); }
  return currentLanguage() === 'en' ? en.join(', ') : zh.join(' ');
}
