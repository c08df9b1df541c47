package io.sqlqueue.internal.store;

import java.util.List;

import io.sqlqueue.Job;

/**
 * What a claim under a queue's limits took.
 *
 * @param jobs the jobs claimed
 * @param limitedBy the limit that held jobs back ({@code global}, {@code key} or {@code rate}), or {@code null}
 * @param heldBack how many fewer than asked for the limit let through, 0 when none held any back
 */
public record LimitedClaim(List<Job> jobs, String limitedBy, int heldBack) {
}
