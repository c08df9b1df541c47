package io.sqlqueue;

/**
 * What the whole cluster recorded in a span of time, read from the job table and the attempt history rather than
 * counted by each node: the sum over every node, whichever recorded it.
 *
 * <pre>{@code
 * OutcomeCounts lastMinute = jobs.outcomeCounts(now.minusSeconds(60), now);
 * }</pre>
 *
 * @param succeeded jobs that finished SUCCEEDED in the span and are still kept
 * @param retried failed attempts that sent their job back to READY for another attempt
 * @param dead jobs that went to the dead letter in the span and are still kept (killed ones included)
 */
public record OutcomeCounts(long succeeded, long retried, long dead) {
}
