package io.sqlqueue.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.Job;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.internal.store.ClaimParams;
import io.sqlqueue.internal.store.JdbcJobStore;
import io.sqlqueue.testing.Internals;
import io.sqlqueue.testing.TestDatabase;
import io.sqlqueue.testing.TestDatabases;

/**
 * On PostgreSQL, a claim after a position takes the jobs of that priority after it, in claim order, and leaves
 * the rest to a claim from the front; a worker's claims move on to the position of their last job only while
 * claims from the front are slow (as they are while a held snapshot keeps dead index entries in front of them),
 * and start at the front again once the jobs after it run out.
 */
class ClaimCursorTests {

	private static final Duration LEASE = Duration.ofMinutes(1);

	private JdbcJobQueue queue;

	private JdbcJobStore store;

	@BeforeEach
	void setUp() {
		this.queue = JdbcJobQueue.builder(TestDatabases.fresh(TestDatabase.POSTGRESQL)).build();
		this.store = Internals.store(this.queue);
	}

	@Test
	void aClaimAfterAPositionTakesTheJobsOfItsPriorityAfterIt() {
		List<Long> low = enqueue(20, 0);
		List<Long> high = enqueue(2, 5);
		List<Job> first = this.store.jobGetAvailable(params(5, null));
		assertThat(first).extracting(Job::id).containsExactly(high.get(0), high.get(1), low.get(0), low.get(1), low.get(2));
		long later = enqueue(1, 5).get(0);
		Job last = first.get(4);

		List<Job> after = this.store.jobGetAvailable(params(5, Set.of("work"))
			.after(new ClaimParams.After(last.priority(), last.runAt(), last.id())));
		List<Job> afterAnyType = this.store.jobGetAvailable(params(5, null)
			.after(new ClaimParams.After(0, after.get(4).runAt(), after.get(4).id())));

		assertThat(after).extracting(Job::id).containsExactlyElementsOf(low.subList(3, 8));
		assertThat(afterAnyType).extracting(Job::id).containsExactlyElementsOf(low.subList(8, 13));
		assertThat(this.store.jobGetAvailable(params(1, null))).extracting(Job::id).containsExactly(later);
	}

	@Test
	void claimsMoveOnOnlyWhileClaimsFromTheFrontAreSlowAndComeBackWhenTheJobsAfterRunOut() {
		List<Long> jobs = enqueue(12, 0);
		// the cursor's clock moves only when a claim is made slow, so a loaded machine cannot make a claim slow
		AtomicLong nanos = new AtomicLong();
		ClaimCursor cursor = new ClaimCursor(nanos::get);
		List<ClaimParams> asked = new ArrayList<>();

		List<Job> fast = cursor.claim(params(4, null), (p) -> {
			asked.add(p);
			return this.store.jobGetAvailable(p);
		});
		assertThat(cursor.movedOn()).as("after a fast claim").isFalse();
		List<Job> slow = cursor.claim(params(4, null), (p) -> {
			asked.add(p);
			// a claim from the front made slow, as dead index entries make it
			nanos.addAndGet(ClaimCursor.SLOW_NANOS + 1);
			return this.store.jobGetAvailable(p);
		});
		assertThat(cursor.movedOn()).as("after a slow claim of a full batch").isTrue();
		List<Job> moved = cursor.claim(params(5, null), (p) -> {
			asked.add(p);
			return this.store.jobGetAvailable(p);
		});

		assertThat(fast).extracting(Job::id).containsExactlyElementsOf(jobs.subList(0, 4));
		assertThat(slow).extracting(Job::id).containsExactlyElementsOf(jobs.subList(4, 8));
		assertThat(asked.get(2).after()).isEqualTo(new ClaimParams.After(0, slow.get(3).runAt(), slow.get(3).id()));
		assertThat(moved).extracting(Job::id).containsExactlyElementsOf(jobs.subList(8, 12));
		assertThat(cursor.movedOn()).as("the jobs after the position ran out").isFalse();
		assertThat(asked).extracting(ClaimParams::after).containsExactly(null, null, asked.get(2).after());
	}

	@Test
	void aMovedOnCursorStartsAtTheFrontAgainOnceASecondHasPassed() {
		List<Long> jobs = enqueue(12, 0);
		AtomicLong nanos = new AtomicLong();
		ClaimCursor cursor = new ClaimCursor(nanos::get);
		List<ClaimParams> asked = new ArrayList<>();

		cursor.claim(params(4, null), (p) -> {
			asked.add(p);
			nanos.addAndGet(ClaimCursor.SLOW_NANOS + 1);
			return this.store.jobGetAvailable(p);
		});
		assertThat(cursor.movedOn()).as("after a slow claim of a full batch").isTrue();
		nanos.addAndGet(ClaimCursor.FRONT_EVERY_NANOS);
		List<Job> front = cursor.claim(params(4, null), (p) -> {
			asked.add(p);
			return this.store.jobGetAvailable(p);
		});

		assertThat(asked).extracting(ClaimParams::after).as("where the claims started").containsExactly(null, null);
		assertThat(front).extracting(Job::id).containsExactlyElementsOf(jobs.subList(4, 8));
		assertThat(cursor.movedOn()).as("after a fast claim from the front").isFalse();
	}

	private List<Long> enqueue(int jobs, int priority) {
		List<Long> ids = new ArrayList<>();
		for (int n = 0; n < jobs; n++) {
			ids.add(this.queue.enqueue("work", Map.of("n", n), EnqueueOptions.defaults()
				.withPriority(priority)
				.withRunAt(Instant.now().minusSeconds(60).plusMillis(n))));
		}
		return ids;
	}

	private static ClaimParams params(int limit, Set<String> types) {
		return new ClaimParams("default", limit, LEASE, "test-node", types);
	}

}
