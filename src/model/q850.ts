/**
 * ITU-T Q.850 release causes explained for a buyer of wholesale VoIP routes: what the cause
 * usually means for a call and whether retrying or another route could help. No `vscode` and no
 * DOM, so the panel script and unit tests share it.
 */

/** Explanations of the causes that wholesale CDRs commonly carry, by Q.850 cause value. */
const CAUSES: ReadonlyMap<number, string> = new Map([
  [
    1,
    'The number does not exist: the destination network has no subscriber on it. Check the ' +
      'number or the dialing format, because retrying will fail the same way.',
  ],
  [
    2,
    'The call asked to pass through a transit network that this network cannot reach. ' +
      'Another route may get through.',
  ],
  [
    3,
    "The vendor's network has no route to this destination. Try another route, because the " +
      'vendor may not cover this prefix.',
  ],
  [
    6,
    'The far end could not use the channel it was offered. This is usually a trunk ' +
      'configuration fault between the carriers.',
  ],
  [
    16,
    'The call ended normally because one side hung up. This is the usual cause of an answered ' +
      'call.',
  ],
  [17, 'The called party was busy. The route worked, so this counts as an effective call in NER.'],
  [
    18,
    'The called phone did not respond in time, often because it is switched off or out of ' +
      'coverage. The route reached the destination, so this counts as an effective call in NER.',
  ],
  [
    19,
    'The called phone rang but nobody answered. The route worked, so this counts as an ' +
      'effective call in NER.',
  ],
  [
    20,
    'The called mobile is not reachable, for example switched off or detached from its ' +
      'network. The route reached the destination network.',
  ],
  [
    21,
    'The called party or its network refused the call, for example because of call barring ' +
      'or a blocked caller ID. It counts as an effective call in NER.',
  ],
  [
    22,
    'The called number has changed and is no longer in service. Update the number, because ' +
      'retrying will fail the same way.',
  ],
  [
    26,
    'The call was offered to several devices and another one answered it. It is rare on ' +
      'wholesale routes.',
  ],
  [
    27,
    "The called party's line or equipment is out of order, so the destination could not " +
      'take the call. Retrying later may work.',
  ],
  [
    28,
    'The number is incomplete or in the wrong format. Check that it is sent in full E.164 ' +
      'form with the country code and no extra prefix.',
  ],
  [
    29,
    'The network refused a supplementary service that the call asked for. Check the ' +
      'signaling options sent on the route.',
  ],
  [
    31,
    'The call ended for a reason the network did not specify. Many switches use it as a ' +
      'generic failure, so look at how often it occurs per vendor.',
  ],
  [
    34,
    "No circuit was free on the vendor's route, which usually means congestion. It is worth " +
      'retrying or trying another route.',
  ],
  [
    38,
    'A network on the path is out of order and could not carry the call. Another route is ' +
      'likely to do better until it recovers.',
  ],
  [
    41,
    'A network on the path had a temporary fault. Retrying soon, or on another route, ' +
      'usually works.',
  ],
  [
    42,
    'A switch on the path is overloaded. It is worth retrying later or sending the traffic ' +
      'to another route.',
  ],
  [
    43,
    'The network could not pass some access information, such as user-to-user data, to the ' +
      'called party. The call itself may still have worked.',
  ],
  [
    44,
    'The specific circuit that was requested is not available, although others may be. ' +
      'Retrying or another route usually helps.',
  ],
  [
    47,
    'A resource the call needed was not available on the path, without a more precise ' +
      'reason. It is often temporary, so retrying or another route may help.',
  ],
  [49, 'The network could not provide the quality of service the call asked for.'],
  [
    50,
    'The call asked for a service that the account or route is not subscribed to. Check the ' +
      'route and account settings with the vendor.',
  ],
  [
    55,
    'The called party accepts no incoming calls from outside its closed user group, or ' +
      'incoming calls are barred on it.',
  ],
  [
    57,
    'The route is not authorized to carry this kind of call, such as a data or video call ' +
      'instead of voice.',
  ],
  [
    58,
    'The kind of call requested, such as the codec or bearer type, is not available on the ' +
      'route right now.',
  ],
  [
    63,
    "The service or option the call needed is not available on the vendor's network, without " +
      'a more precise reason.',
  ],
  [
    65,
    'The network does not support the kind of call requested. On VoIP routes this can point ' +
      'to media or codecs that the far end does not accept.',
  ],
  [
    66,
    'The network does not support the channel type requested. This is usually a trunk ' +
      'configuration fault.',
  ],
  [
    69,
    'The network does not implement a facility the call asked for. Check the signaling ' +
      'options sent on the route.',
  ],
  [
    79,
    'The network does not implement a service or option the call needed, without a more ' +
      'precise reason.',
  ],
  [
    81,
    'A switch received a message for a call it does not know. This points to a signaling ' +
      'fault between the carriers.',
  ],
  [
    88,
    'The destination cannot handle the kind of call offered, such as a data call to a ' +
      'voice-only line.',
  ],
  [
    91,
    'The transit network selected for the call is not valid. This is a routing configuration ' +
      'fault.',
  ],
  [
    95,
    'A switch received an invalid signaling message, without a more precise reason. This ' +
      'points to a fault between the carriers.',
  ],
  [
    96,
    'A signaling message lacked a mandatory element. This points to a fault in how the call ' +
      'was signaled.',
  ],
  [
    97,
    'A switch received a message type that it does not know or implement. This points to a ' +
      'signaling mismatch between the carriers.',
  ],
  [100, 'A signaling message contained an invalid value, such as a malformed number.'],
  [
    101,
    'A switch received a message that does not fit the state of the call. This points to a ' +
      'signaling fault between the carriers.',
  ],
  [
    102,
    'A switch gave up waiting for a response, for example when the far end did not reply to ' +
      'the call setup in time. Retrying or another route may help.',
  ],
  [
    111,
    'A signaling protocol error occurred, without a more precise reason. This points to a ' +
      'fault between the carriers.',
  ],
  [
    127,
    'The call failed in a network that does not report a precise cause, often at a gateway ' +
      'between signaling systems. Compare with other routes to the same destination.',
  ],
]);

/** One class of Q.850 causes, given by the three high bits of the 7-bit cause value. */
interface CauseClass {
  readonly name: string;
  readonly meaning: string;
}

const NORMAL_EVENT: CauseClass = {
  name: 'normal event',
  meaning: 'Causes of this class mostly concern the called party or the number, not a fault.',
};

/**
 * Q.850 cause classes, indexed by cause value >> 4. The normal class spans 0 to 31, so it fills
 * the first two entries.
 */
const CAUSE_CLASSES: readonly CauseClass[] = [
  NORMAL_EVENT,
  NORMAL_EVENT,
  {
    name: 'resource unavailable',
    meaning: 'The network lacked a resource, which is often temporary.',
  },
  {
    name: 'service or option not available',
    meaning: 'The network could not provide something the call needed.',
  },
  {
    name: 'service or option not implemented',
    meaning: 'The network does not support something the call needed.',
  },
  {
    name: 'invalid message',
    meaning: 'A switch received a signaling message that it could not accept.',
  },
  {
    name: 'protocol error',
    meaning: 'The signaling between the switches went wrong.',
  },
  {
    name: 'interworking',
    meaning: 'The call failed in a network that does not report a precise cause.',
  },
];

/** The highest cause value: Q.850 causes are 7-bit numbers. */
const MAX_CAUSE = 127;

/**
 * Explains the Q.850 release cause `code` in one or two sentences. A code without its own
 * explanation gets the meaning of its class. A missing or out-of-range code gets a text that
 * names the problem.
 */
export function describeCause(code: number | undefined): string {
  if (code === undefined) {
    return 'The record has no release cause.';
  }
  if (!Number.isInteger(code) || code < 0 || code > MAX_CAUSE) {
    return `${code} is not a Q.850 release cause, which is a whole number from 0 to ${MAX_CAUSE}.`;
  }
  const known = CAUSES.get(code);
  if (known !== undefined) {
    return known;
  }
  if (code === 0) {
    return 'Cause 0 is not assigned in Q.850. Switches usually record it when they have no cause.';
  }
  const causeClass = CAUSE_CLASSES[code >> 4];
  return `Cause ${code} is in the Q.850 class "${causeClass.name}". ${causeClass.meaning}`;
}

/** Returns the name of the Q.850 class of `code`, or undefined when it is not a cause value. */
export function causeClassName(code: number): string | undefined {
  if (!Number.isInteger(code) || code < 1 || code > MAX_CAUSE) {
    return undefined;
  }
  return CAUSE_CLASSES[code >> 4].name;
}
