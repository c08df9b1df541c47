package io.sqlqueue.internal;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.sqlqueue.JobEventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listeners of a queue hear every event: a listener method the composite did not forward would stay silent
 * for every user (as {@code jobsHeldBack} once did).
 */
class CompositeListenerTests {

	@Test
	void forwardsEveryEventAListenerCanHear() throws NoSuchMethodException {
		for (Method method : JobEventListener.class.getDeclaredMethods()) {
			if (method.isDefault()) {
				Method forwarded = CompositeListener.class.getMethod(method.getName(), method.getParameterTypes());
				assertThat(forwarded.getDeclaringClass()).as(method.getName()).isEqualTo(CompositeListener.class);
			}
		}
	}

	@Test
	void aFailingListenerDoesNotKeepTheEventFromTheOthers() {
		List<String> heard = new CopyOnWriteArrayList<>();
		JobEventListener failing = new JobEventListener() {
			@Override
			public void jobsHeldBack(String queue, String limit, int jobs) {
				throw new IllegalStateException("boom");
			}
		};
		JobEventListener counting = new JobEventListener() {
			@Override
			public void jobsHeldBack(String queue, String limit, int jobs) {
				heard.add(queue + " " + limit + " " + jobs);
			}
		};
		new CompositeListener(Arrays.asList(failing, counting)).jobsHeldBack("erp", "global", 3);
		assertThat(heard).containsExactly("erp global 3");
	}

}
