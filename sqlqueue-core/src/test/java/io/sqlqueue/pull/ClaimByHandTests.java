package io.sqlqueue.pull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.ClaimedJob;
import io.sqlqueue.EnqueueOptions;
import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.Job;
import io.sqlqueue.JobEventListener;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.PayloadCodecException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Pulling jobs by hand (the seeds' Pop/Dequeue/Pull with Ack, Nack, ExtendLock and Kill): claims are
 * exclusive, ordered and leased, and every outcome is fenced by the claim's attempt.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ClaimByHandTests {

	@Parameter
	TestDatabase db;

	JdbcJobQueue jobs;

	final List<String> staleOutcomes = new CopyOnWriteArrayList<>();

	record Email(String to, String subject) {
	}

	@BeforeEach
	void setUp() {
		this.jobs = QueueFixture.fresh(this.db, (queue) -> queue.listener(new JobEventListener() {
			@Override
			public void staleOutcomeIgnored(long jobId, int attempt) {
				ClaimByHandTests.this.staleOutcomes.add(jobId + "@" + attempt);
			}
		})).queue();
	}

	@Test
	void claimTakesDueJobsByPriorityThenAgeAndLeavesDelayedOnes() {
		long low = this.jobs.enqueue("mail", new Email("a", "low"), EnqueueOptions.defaults().withQueue("mail"));
		long high = this.jobs.enqueue("mail", new Email("b", "high"),
				EnqueueOptions.defaults().withQueue("mail").withPriority(5));
		long later = this.jobs.enqueue("mail", new Email("c", "later"),
				EnqueueOptions.defaults().withQueue("mail").withDelay(Duration.ofHours(1)));
		this.jobs.enqueue("other", new Email("d", "elsewhere"));

		List<ClaimedJob> claimed = this.jobs.claim("mail", 10, Duration.ofMinutes(1));

		assertThat(claimed).extracting(ClaimedJob::id).containsExactly(high, low);
		assertThat(claimed).allSatisfy((c) -> {
			assertThat(c.attempt()).isEqualTo(1);
			assertThat(c.job().state()).isEqualTo(JobState.RUNNING);
		});
		assertThat(this.jobs.find(later).orElseThrow().state()).isEqualTo(JobState.READY);
		assertThat(this.jobs.claim("mail", 10, Duration.ofMinutes(1))).isEmpty();
	}

	@Test
	void completeRecordsSuccessOnceAndBindsThePayload() {
		long id = this.jobs.enqueue("mail", new Email("ada@example.com", "Welcome"),
				EnqueueOptions.defaults().withQueue("mail"));
		ClaimedJob claimed = this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0);

		assertThat(claimed.payload(Email.class)).isEqualTo(new Email("ada@example.com", "Welcome"));
		assertThat(claimed.complete()).isTrue();
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);

		assertThat(claimed.retry(Duration.ZERO, "too late")).isFalse();
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
		assertThat(this.staleOutcomes).containsExactly(id + "@1");
	}

	@Test
	void aPayloadOfAnotherShapeIsAClearErrorAndCanBeKilledWithItsReason() {
		// a list where the class has a text
		long id = this.jobs.enqueue("mail", Map.of("to", List.of(1, 2)), EnqueueOptions.defaults().withQueue("mail"));
		ClaimedJob claimed = this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0);

		PayloadCodecException error = assertThatExceptionOfType(PayloadCodecException.class)
			.isThrownBy(() -> claimed.payload(Email.class))
			.actual();
		assertThat(claimed.kill(error.getMessage())).isTrue();

		Job dead = this.jobs.find(id).orElseThrow();
		assertThat(dead.state()).isEqualTo(JobState.DEAD);
		assertThat(dead.lastError()).isEqualTo(error.getMessage()).isNotBlank();
	}

	@Test
	void retryWaitsForItsDelayThenTheLastAttemptGoesDead() {
		long id = this.jobs.enqueue("mail", new Email("b", "s"),
				EnqueueOptions.defaults().withQueue("mail").withMaxAttempts(2));

		ClaimedJob first = this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0);
		assertThat(first.retry(Duration.ofMillis(300), "smtp timeout")).isTrue();
		Job waiting = this.jobs.find(id).orElseThrow();
		assertThat(waiting.state()).isEqualTo(JobState.READY);
		assertThat(waiting.lastError()).isEqualTo("smtp timeout");
		assertThat(this.jobs.claim("mail", 1, Duration.ofMinutes(1))).isEmpty();

		ClaimedJob second = await().atMost(Duration.ofSeconds(10))
			.until(() -> this.jobs.claim("mail", 1, Duration.ofMinutes(1)), (c) -> !c.isEmpty())
			.get(0);
		assertThat(second.attempt()).isEqualTo(2);
		assertThat(second.retry(Duration.ZERO, "smtp timeout again")).isTrue();

		Job dead = this.jobs.find(id).orElseThrow();
		assertThat(dead.state()).isEqualTo(JobState.DEAD);
		assertThat(dead.lastError()).isEqualTo("Out of attempts (2 of 2): smtp timeout again");
	}

	@Test
	void anExpiredLeaseIsRescuedAndTheOldClaimCanNoLongerChangeTheJob() throws Exception {
		long id = this.jobs.enqueue("mail", new Email("c", "s"), EnqueueOptions.defaults().withQueue("mail"));
		ClaimedJob stale = this.jobs.claim("mail", 1, Duration.ofMillis(200)).get(0);

		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
			.until(() -> this.jobs.rescueExpired() == 1);
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.READY);
		ClaimedJob current = this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0);
		assertThat(current.attempt()).isEqualTo(2);

		assertThat(stale.complete()).isFalse();
		assertThat(stale.extendLease(Duration.ofMinutes(5))).isFalse();
		assertThat(stale.kill("stale")).isFalse();
		assertThat(this.jobs.find(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
		assertThat(this.staleOutcomes).containsOnly(id + "@1").hasSize(3);

		assertThat(current.extendLease(Duration.ofMinutes(5))).isTrue();
		assertThat(current.complete()).isTrue();
	}

	@Test
	void releaseGivesTheJobBackAtOnce() {
		long id = this.jobs.enqueue("mail", new Email("d", "s"), EnqueueOptions.defaults().withQueue("mail"));
		assertThat(this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0).release()).isTrue();

		ClaimedJob again = this.jobs.claim("mail", 1, Duration.ofMinutes(1)).get(0);
		assertThat(again.id()).isEqualTo(id);
		assertThat(again.attempt()).isEqualTo(2);
	}

	@Test
	void pollWaitsForAJobEnqueuedMeanwhileAndGivesUpWhenNoneComes() throws Exception {
		assertThat(this.jobs.poll("mail", Duration.ofMillis(300), Duration.ofMinutes(1))).isEmpty();

		ExecutorService producer = Executors.newSingleThreadExecutor();
		try {
			producer.submit(() -> {
				Thread.sleep(300);
				return this.jobs.enqueue("mail", new Email("e", "s"), EnqueueOptions.defaults().withQueue("mail"));
			});
			Optional<ClaimedJob> polled = this.jobs.poll("mail", Duration.ofSeconds(20), Duration.ofMinutes(1));
			assertThat(polled).hasValueSatisfying((c) -> assertThat(c.payload(Email.class).to()).isEqualTo("e"));
		}
		finally {
			producer.shutdownNow();
		}
	}

	@Test
	void concurrentClaimersNeverShareAJob() throws Exception {
		int total = 300;
		List<JobRequest> requests = new ArrayList<>();
		for (int i = 0; i < total; i++) {
			requests.add(JobRequest.of("mail", new Email("user" + i, "s"), EnqueueOptions.defaults().withQueue("mail")));
		}
		this.jobs.enqueueAll(requests);

		Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
		int claimers = 4;
		ExecutorService pool = Executors.newFixedThreadPool(claimers);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < claimers; t++) {
				futures.add(pool.submit(() -> {
					List<ClaimedJob> batch;
					while (!(batch = this.jobs.claim("mail", 7, Duration.ofMinutes(1))).isEmpty()) {
						for (ClaimedJob claimed : batch) {
							runs.computeIfAbsent(claimed.id(), (k) -> new AtomicInteger()).incrementAndGet();
							assertThat(claimed.complete()).isTrue();
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(runs).hasSize(total);
		assertThat(runs.values()).allSatisfy((count) -> assertThat(count.get()).isEqualTo(1));
		assertThat(this.jobs.count("mail", JobState.SUCCEEDED)).isEqualTo(total);
	}

	@Test
	void badArgumentsAreNamed() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.jobs.claim("no spaces", 1, Duration.ofMinutes(1)))
			.withMessageContaining("Invalid queue name 'no spaces'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.jobs.claim("mail", 0, Duration.ofMinutes(1)))
			.withMessageContaining("limit must be between 1 and");
		assertThatIllegalArgumentException().isThrownBy(() -> this.jobs.claim("mail", 1, Duration.ZERO))
			.withMessageContaining("lease must be positive");
	}

}
