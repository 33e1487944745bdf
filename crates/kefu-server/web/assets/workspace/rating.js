// A customer's rating in words (★★★★☆ 4/5 星「很耐心」), shared by the workspace, history and
// the customer profile. Needs the `workspace` catalogue loaded.

import { t } from '../i18n.js';

/** Stars with the comment, or the "not yet rated" line. */
export function ratingText(r) {
  if (!r) return t('card-rating_none');
  const stars = '★'.repeat(r.stars) + '☆'.repeat(Math.max(0, r.scale - r.stars));
  const words = t('rating-stars', { stars: r.stars, scale: r.scale });
  return `${stars} ${words}${r.comment ? ` ${t('rating-comment', { comment: r.comment })}` : ''}`;
}
