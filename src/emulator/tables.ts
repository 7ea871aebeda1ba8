/**
 * Reference tables behind the emulator's generated traffic: destinations with typical wholesale
 * prices, Q.850 release causes with their share of calls, carriers and billing increments.
 * Prices are illustrative per-minute USD figures, not quotes from any carrier.
 */

/** One priced destination inside a country, such as a mobile network. */
export interface Destination {
  readonly description: string;
  /** Leading digits of the national number that identify this destination. */
  readonly leads: readonly string[];
  /** Digits in the national number, the part of the E.164 number after the country code. */
  readonly nationalDigits: number;
  /** Per-minute price range in micro-dollars (1 USD = 1,000,000). */
  readonly minPriceMicros: number;
  readonly maxPriceMicros: number;
}

export interface Country {
  readonly countryCode: string;
  readonly name: string;
  /** Relative share of traffic sent to this country. */
  readonly weight: number;
  readonly destinations: readonly Destination[];
}

function destination(
  description: string,
  leads: readonly string[],
  nationalDigits: number,
  minPrice: number,
  maxPrice: number,
): Destination {
  return {
    description,
    leads,
    nationalDigits,
    minPriceMicros: Math.round(minPrice * 1_000_000),
    maxPriceMicros: Math.round(maxPrice * 1_000_000),
  };
}

export const COUNTRIES: readonly Country[] = [
  {
    countryCode: '1',
    name: 'United States of America',
    weight: 30,
    destinations: [
      destination(
        'Fixed - ROC',
        ['201', '212', '305', '415', '646', '713', '818'],
        10,
        0.003,
        0.008,
      ),
      destination('Alaska', ['907'], 10, 0.02, 0.045),
    ],
  },
  {
    countryCode: '44',
    name: 'United Kingdom',
    weight: 14,
    destinations: [
      destination('Fixed - London', ['20'], 10, 0.004, 0.009),
      destination('Mobile - Vodafone', ['77'], 10, 0.008, 0.016),
      destination('Mobile - EE', ['74'], 10, 0.008, 0.017),
    ],
  },
  {
    countryCode: '49',
    name: 'Germany',
    weight: 7,
    destinations: [
      destination('Fixed - Berlin', ['30'], 10, 0.004, 0.01),
      destination('Mobile - Telekom', ['151'], 11, 0.02, 0.045),
      destination('Mobile - Vodafone', ['162'], 11, 0.02, 0.05),
    ],
  },
  {
    countryCode: '33',
    name: 'France',
    weight: 6,
    destinations: [
      destination('Fixed - Paris', ['1'], 9, 0.005, 0.012),
      destination('Mobile - Orange', ['6'], 9, 0.015, 0.03),
      destination('Mobile - SFR', ['7'], 9, 0.015, 0.032),
    ],
  },
  {
    countryCode: '34',
    name: 'Spain',
    weight: 4,
    destinations: [
      destination('Fixed - Madrid', ['91'], 9, 0.005, 0.01),
      destination('Mobile - Movistar', ['6'], 9, 0.012, 0.03),
    ],
  },
  {
    countryCode: '39',
    name: 'Italy',
    weight: 4,
    destinations: [
      destination('Fixed - Rome', ['06'], 10, 0.006, 0.012),
      destination('Mobile - TIM', ['33'], 10, 0.015, 0.03),
    ],
  },
  {
    countryCode: '91',
    name: 'India',
    weight: 8,
    destinations: [
      destination('Fixed - Delhi', ['11'], 10, 0.008, 0.015),
      destination('Mobile - Jio', ['70'], 10, 0.006, 0.012),
      destination('Mobile - Airtel', ['98'], 10, 0.006, 0.013),
    ],
  },
  {
    countryCode: '234',
    name: 'Nigeria',
    weight: 4,
    destinations: [
      destination('Mobile - MTN', ['803'], 10, 0.08, 0.15),
      destination('Mobile - Glo', ['805'], 10, 0.085, 0.16),
    ],
  },
  {
    countryCode: '63',
    name: 'Philippines',
    weight: 5,
    destinations: [
      destination('Mobile - Globe', ['917'], 10, 0.09, 0.16),
      destination('Mobile - Smart', ['918'], 10, 0.09, 0.17),
    ],
  },
  {
    countryCode: '52',
    name: 'Mexico',
    weight: 5,
    destinations: [
      destination('Fixed - Mexico City', ['55'], 10, 0.006, 0.012),
      destination('Mobile - Telcel', ['81'], 10, 0.01, 0.02),
    ],
  },
  {
    countryCode: '55',
    name: 'Brazil',
    weight: 3,
    destinations: [
      destination('Fixed - Sao Paulo', ['113'], 10, 0.01, 0.02),
      destination('Mobile - Vivo', ['119'], 11, 0.025, 0.05),
    ],
  },
  {
    countryCode: '971',
    name: 'United Arab Emirates',
    weight: 3,
    destinations: [
      destination('Fixed - Dubai', ['4'], 8, 0.1, 0.15),
      destination('Mobile - Etisalat', ['50'], 9, 0.12, 0.2),
      destination('Mobile - du', ['55'], 9, 0.12, 0.21),
    ],
  },
  {
    countryCode: '61',
    name: 'Australia',
    weight: 3,
    destinations: [
      destination('Fixed - Sydney', ['2'], 9, 0.01, 0.02),
      destination('Mobile - Telstra', ['4'], 9, 0.015, 0.03),
    ],
  },
  {
    countryCode: '81',
    name: 'Japan',
    weight: 2,
    destinations: [
      destination('Fixed - Tokyo', ['3'], 9, 0.02, 0.04),
      destination('Mobile - NTT Docomo', ['90'], 10, 0.04, 0.06),
    ],
  },
  {
    countryCode: '86',
    name: 'China',
    weight: 2,
    destinations: [
      destination('Fixed - Beijing', ['10'], 10, 0.005, 0.012),
      destination('Mobile - China Mobile', ['138'], 11, 0.006, 0.015),
    ],
  },
];

/** A Q.850 release cause with the reason text TCXC reports and its share of calls in 1,000. */
export interface ReleaseCause {
  readonly code: string;
  readonly reason: string;
  readonly weight: number;
}

/** Q.850 cause of an answered call that ended normally; every other cause is a failed call. */
export const NORMAL_CLEARING = '16';

export const RELEASE_CAUSES: readonly ReleaseCause[] = [
  { code: NORMAL_CLEARING, reason: 'Normal Call Clearing', weight: 650 },
  { code: '17', reason: 'User busy', weight: 80 },
  { code: '18', reason: 'No user responding', weight: 30 },
  { code: '19', reason: 'No answer from user (user alerted)', weight: 60 },
  { code: '21', reason: 'Call rejected', weight: 30 },
  { code: '28', reason: 'Invalid number format', weight: 25 },
  { code: '31', reason: 'Normal, unspecified', weight: 40 },
  { code: '34', reason: 'No circuit/channel available', weight: 35 },
  { code: '38', reason: 'Network out of order', weight: 10 },
  { code: '41', reason: 'Temporary failure', weight: 15 },
  { code: '42', reason: 'Switching equipment congestion', weight: 10 },
  { code: '63', reason: 'Service or option not available, unspecified', weight: 10 },
  { code: '127', reason: 'Interworking, unspecified', weight: 5 },
];

/** A terminating carrier that the buyer's calls are routed to. */
export interface Vendor {
  readonly id: string;
  readonly name: string;
  readonly weight: number;
  /** Named connections to the vendor, with their i_connection ids. */
  readonly connections: readonly { readonly id: string; readonly name: string }[];
}

export const VENDORS: readonly Vendor[] = [
  {
    id: '13',
    name: 'IDT',
    weight: 30,
    connections: [{ id: '131', name: 'IDT-Premium' }],
  },
  {
    id: '21',
    name: 'Bics',
    weight: 20,
    connections: [{ id: '211', name: 'Bics-CLI' }],
  },
  { id: '34', name: 'Telia', weight: 15, connections: [{ id: '341', name: 'Telia-Direct' }] },
  {
    id: '42',
    name: 'Orange',
    weight: 15,
    connections: [
      { id: '421', name: 'Orange-CLI' },
      { id: '422', name: 'Orange-NCLI' },
    ],
  },
  { id: '57', name: 'Tata', weight: 12, connections: [{ id: '571', name: 'Tata-Wholesale' }] },
  { id: '66', name: 'Telefonica', weight: 8, connections: [{ id: '661', name: 'TIWS-Gold' }] },
];

/** The buyer's own SIP accounts that calls are sent from. */
export const BUYER_ACCOUNTS: readonly { readonly id: string; readonly name: string }[] = [
  { id: '10', name: 'SBC-3001' },
  { id: '11', name: 'SBC-3002' },
  { id: '12', name: 'SBC-3005' },
];

/** Customer id of the buyer that owns every generated call. */
export const CUSTOMER_ID = '1';

/** Billing increments in seconds: the first billed block and each later block. */
export interface BillingIncrement {
  readonly first: number;
  readonly next: number;
  readonly weight: number;
}

export const BILLING_INCREMENTS: readonly BillingIncrement[] = [
  { first: 1, next: 1, weight: 25 },
  { first: 6, next: 6, weight: 25 },
  { first: 30, next: 6, weight: 20 },
  { first: 60, next: 60, weight: 15 },
  { first: 60, next: 1, weight: 15 },
];
