import {
  type AmqpError,
  type Container,
  type Delivery,
  type link,
  type Message,
  message as rheaMessage,
  type Sender,
  type Source,
  type TerminusOptions,
} from 'rhea';

/**
 * The few rhea internals a broker needs and rhea's typings (written for clients) leave out.
 * Kept in one place so a rhea upgrade has one file to check (pinned: rhea 3.0.5).
 */

interface EndpointStateInternals {
  open_requests: number;
  need_open(): boolean;
}

interface LinkInternals {
  state: EndpointStateInternals;
  local: { attach: Record<string, unknown> };
  remote: { attach?: Record<string, unknown> };
  connection: { _register(): void };
  credit: number;
  delivery_count: number;
  session: { outgoing: { available(): number } };
}

function internals(l: link): LinkInternals {
  return l as unknown as LinkInternals;
}

/**
 * rhea answers a peer's attach as soon as the event handler returns. Accept-next-session must
 * hold the attach until a session frees up (Azure holds it up to the link's timeout), so the
 * pending open request is taken back here and re-issued by `resumeAttach`.
 */
export function deferAttach(l: link): void {
  internals(l).state.need_open();
}

export function resumeAttach(l: link): void {
  const i = internals(l);
  i.state.open_requests++;
  i.connection._register();
}

/** Fields of the attach frame we answer with (source, target, properties, settle modes, size). */
export function localAttach(l: link): Record<string, unknown> {
  return internals(l).local.attach;
}

export function remoteAttach(l: link): Record<string, unknown> {
  return internals(l).remote.attach ?? {};
}

/**
 * Credit the peer granted that we have not used yet. rhea only counts a transfer when it writes
 * it, so sends made in the same tick are subtracted by the caller through `sentCount`.
 * (credit + delivery_count) stays constant between flow frames, which makes this exact.
 */
export function unusedCredit(sender: Sender, sentCount: number): number {
  const i = internals(sender);
  const byCredit = i.credit + i.delivery_count - sentCount;
  return Math.min(byCredit, i.session.outgoing.available());
}

/**
 * In settle mode "second" the receiver settles after us and never tells us so; without this the
 * delivery would stay in rhea's outgoing window forever and block the session after 2048 messages.
 */
export function forgetSettledDelivery(delivery: Delivery): void {
  (delivery as unknown as { remote_settled: boolean }).remote_settled = true;
}

/** rhea's `message.decode` is typed with its own Message shape; the wire format is the same. */
export function decodeMessage(buffer: Buffer): Message {
  return rheaMessage.decode(buffer) as unknown as Message;
}

export function encodeMessage(m: Message): Buffer {
  return rheaMessage.encode(m);
}

/** The `rejected` outcome carrying an error, for a disposition that settles with a failure. */
export function rejectedOutcome(error: AmqpError): unknown {
  const outcomes = rheaMessage as unknown as {
    rejected(fields: { error: AmqpError }): { described(): unknown };
  };
  return outcomes.rejected({ error }).described();
}

/**
 * The outcome a successful settlement is confirmed with. The SDK treats any outcome carrying an
 * error as a failure, so echoing a dead-letter (`rejected`) back would fail the call; rhea also
 * logs an error for a disposition without state. `accepted` says "done" for every kind.
 */
export function acceptedOutcome(): unknown {
  const outcomes = rheaMessage as unknown as { accepted(): { described(): unknown } };
  return outcomes.accepted().described();
}

/** rhea types a link's termini as always present; a peer may omit them. */
export function sourceOf(l: link): Source | undefined {
  return l.source;
}

export function targetOf(l: link): TerminusOptions | undefined {
  return l.target;
}

export function enableAnonymousSasl(container: Container): void {
  (container.sasl_server_mechanisms as { enable_anonymous(): void }).enable_anonymous();
}
