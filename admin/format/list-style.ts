/**
 * The back office's one stylesheet (assets.styles): list cells that hold a token (a code, a phone,
 * a document number, a date) never wrap mid-token, and names get room instead of breaking after
 * every other character on a narrow screen. AdminJS marks each cell with data-property-name.
 */
const TOKENS = [
  'code',
  'customerCode',
  'phoneMasked',
  'phone',
  'number',
  'sku',
  'slot',
  'status',
  'previousStatus',
  'door',
  'action',
  // an order number shown through its reference, and amounts (12,911.00 must not break after the 0)
  'orderId',
  'amount',
  'paid',
  'outstanding',
  'total',
  'price',
  'quantity',
];
const DATES = ['At', 'Date', 'Until'];
const NAMES = ['name', 'customerName', 'customerId', 'operatorName', 'displayName', 'contact', 'reason'];

export const LIST_CSS = [
  `${[...TOKENS.map((p) => `td[data-property-name="${p}"]`), ...DATES.map((s) => `td[data-property-name$="${s}"]`)].join(',\n')} { white-space: nowrap; }`,
  `${NAMES.map((p) => `td[data-property-name="${p}"]`).join(',\n')} { min-width: 10em; }`,
].join('\n');
