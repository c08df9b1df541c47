package io.sqlqueue.test;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.assertj.core.api.AbstractAssert;

import io.sqlqueue.Job;

/**
 * AssertJ assertions on the jobs of a queue, read through the queue's {@code DataSource}: in a
 * {@code @Transactional} test they see the jobs the test's own transaction enqueued. Get one from
 * {@link SqlQueueTester#assertThat()}.
 *
 * <pre>{@code
 * queue.assertThat()
 *         .hasEnqueued(SendEmail.class, (email) -> email.to().equals("ada@example.com"))
 *         .hasEnqueuedExactly(1, "send-email")
 *         .hasNotEnqueued("charge-card");
 * }</pre>
 */
public final class EnqueuedJobsAssert extends AbstractAssert<EnqueuedJobsAssert, SqlQueueTester> {

	EnqueuedJobsAssert(SqlQueueTester tester) {
		super(tester, EnqueuedJobsAssert.class);
	}

	/** Verifies that at least one job of {@code type} waits to run. */
	public EnqueuedJobsAssert hasEnqueued(String type) {
		return hasEnqueued(type, JobCriteria.any());
	}

	/** Verifies that at least one job of {@code type} meets {@code criteria}. */
	public EnqueuedJobsAssert hasEnqueued(String type, JobCriteria criteria) {
		List<Job> all = this.actual.jobs(type);
		if (matching(all, criteria).isEmpty()) {
			failWithMessage("Expected a job of type '%s' %s, but found none%s", type, criteria, found(all));
		}
		return this;
	}

	/**
	 * Verifies that at least one job waits to run whose payload, read as {@code payloadClass} (the class its
	 * handler declares), satisfies {@code predicate}; its type is the one registered for that class.
	 */
	public <T> EnqueuedJobsAssert hasEnqueued(Class<T> payloadClass, Predicate<? super T> predicate) {
		return hasEnqueued(this.actual.typeOf(payloadClass), JobCriteria.any().withPayload(payloadClass, predicate));
	}

	/** Verifies that no job of {@code type} waits to run. */
	public EnqueuedJobsAssert hasNotEnqueued(String type) {
		return hasNotEnqueued(type, JobCriteria.any());
	}

	/** Verifies that no job of {@code type} meets {@code criteria}. */
	public EnqueuedJobsAssert hasNotEnqueued(String type, JobCriteria criteria) {
		List<Job> matching = matching(this.actual.jobs(type), criteria);
		if (!matching.isEmpty()) {
			failWithMessage("Expected no job of type '%s' %s, but found %d:%n%s", type, criteria, matching.size(),
					describe(matching));
		}
		return this;
	}

	/** Verifies that exactly {@code count} jobs of {@code type} wait to run. */
	public EnqueuedJobsAssert hasEnqueuedExactly(int count, String type) {
		return hasEnqueuedExactly(count, type, JobCriteria.any());
	}

	/** Verifies that exactly {@code count} jobs of {@code type} meet {@code criteria}. */
	public EnqueuedJobsAssert hasEnqueuedExactly(int count, String type, JobCriteria criteria) {
		List<Job> all = this.actual.jobs(type);
		List<Job> matching = matching(all, criteria);
		if (matching.size() != count) {
			failWithMessage("Expected %d jobs of type '%s' %s, but found %d%s", count, type, criteria, matching.size(),
					found(all));
		}
		return this;
	}

	/** Verifies that no job of any type waits to run. */
	public EnqueuedJobsAssert hasNothingEnqueued() {
		List<Job> waiting = this.actual.allJobs().stream().filter((job) -> JobCriteria.any().matches(job, this.actual.codec()))
			.toList();
		if (!waiting.isEmpty()) {
			failWithMessage("Expected no job waiting to run, but found %d:%n%s", waiting.size(), describe(waiting));
		}
		return this;
	}

	private List<Job> matching(List<Job> jobs, JobCriteria criteria) {
		return jobs.stream().filter((job) -> criteria.matches(job, this.actual.codec())).toList();
	}

	private static String found(List<Job> all) {
		return all.isEmpty() ? " (no job of that type at all)" : "; the jobs of that type are:\n" + describe(all);
	}

	private static String describe(List<Job> jobs) {
		return jobs.stream()
			.map((job) -> String.format("  #%d %s queue=%s priority=%d runAt=%s metadata=%s uniqueKey=%s parent=%s payload=%s",
					job.id(), job.state(), job.queue(), job.priority(), job.runAt(), job.metadata(), job.uniqueKey(),
					job.parentId(), job.payload()))
			.collect(Collectors.joining("\n"));
	}

}
