package io.sqlqueue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code enqueueAll} stores every column of every job, ids in request order, on each database. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class EnqueueAllTests {

	@Parameter
	TestDatabase db;

	JdbcJobQueue jobs;

	@BeforeEach
	void setUp() {
		this.jobs = QueueFixture.fresh(this.db).queue();
	}

	@Test
	void storesEachJobAsRequestedWithIdsInRequestOrder() {
		Instant runAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
		List<JobRequest> requests = List.of(
				JobRequest.of("plain", Map.of("n", 1)),
				JobRequest.of("delayed", Map.of("n", 2), EnqueueOptions.defaults().withDelay(Duration.ofHours(1))
					.withPriority(7)
					.withQueue("other")),
				JobRequest.of("scheduled", Map.of("n", 3), EnqueueOptions.defaults().withRunAt(runAt)
					.withMetadata("tenant", "acme")
					.withOrderingKey("k1")
					.withRetention(Duration.ofMinutes(5))));

		List<Long> ids = this.jobs.enqueueAll(requests);

		assertThat(ids).hasSize(3).isSorted().doesNotHaveDuplicates();
		Job plain = this.jobs.find(ids.get(0)).orElseThrow();
		Job delayed = this.jobs.find(ids.get(1)).orElseThrow();
		Job scheduled = this.jobs.find(ids.get(2)).orElseThrow();
		assertThat(plain.type()).isEqualTo("plain");
		assertThat(plain.queue()).isEqualTo(JobQueue.DEFAULT_QUEUE);
		assertThat(plain.state()).isEqualTo(JobState.READY);
		assertThat(plain.payload()).contains("\"n\"").contains("1");
		assertThat(plain.runAt()).isBefore(Instant.now().plusSeconds(60));
		assertThat(delayed.queue()).isEqualTo("other");
		assertThat(delayed.priority()).isEqualTo(7);
		assertThat(delayed.runAt()).isBetween(Instant.now().plus(Duration.ofMinutes(55)),
				Instant.now().plus(Duration.ofMinutes(65)));
		assertThat(scheduled.runAt()).isEqualTo(runAt);
		assertThat(scheduled.metadata()).containsEntry("tenant", "acme");
		assertThat(scheduled.orderingKey()).isEqualTo("k1");
		assertThat(scheduled.maxAttempts()).isEqualTo(JobQueue.DEFAULT_MAX_ATTEMPTS);
	}

	@Test
	void storesALargeBatchInOrder() {
		List<JobRequest> requests = new ArrayList<>();
		// more rows than one statement takes on any database (PostgreSQL: 10,000)
		for (int n = 0; n < 12_000; n++) {
			requests.add(JobRequest.of("bulk", Map.of("n", n)));
		}

		List<Long> ids = this.jobs.enqueueAll(requests);

		assertThat(ids).hasSize(12_000).isSorted().doesNotHaveDuplicates();
		assertThat(this.jobs.count(JobQueue.DEFAULT_QUEUE, JobState.READY)).isEqualTo(12_000);
		for (int n : new int[] { 0, 9_999, 10_000, 11_999 }) {
			assertThat(this.jobs.find(ids.get(n)).orElseThrow().payload()).as("job %d", n)
				.containsPattern("\"n\":\\s*" + n + "\\}");
		}
	}

}
