package io.sqlqueue.dashboard.security;

import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

import io.sqlqueue.spring.JobHandler;
import io.sqlqueue.spring.dashboard.DashboardAccess;

/**
 * An application that secures the dashboard as docs/dashboard.md says: the filter chain lets operators and support
 * staff read it, and a {@link DashboardAccess} bean lets only operators act.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(SecuredApplication.Handlers.class)
public class SecuredApplication {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http) {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/sqlqueue/**")
			.hasAnyRole("OPS", "SUPPORT")
			.anyRequest()
			.permitAll()).formLogin(Customizer.withDefaults());
		return http.build();
	}

	@Bean
	DashboardAccess dashboardAccess() {
		return (request, action) -> request.isUserInRole("OPS");
	}

	@Bean
	InMemoryUserDetailsManager users() {
		return new InMemoryUserDetailsManager(
				User.withUsername("olga").password("{noop}ops-secret").roles("OPS").build(),
				User.withUsername("sam").password("{noop}support-secret").roles("SUPPORT").build(),
				User.withUsername("eve").password("{noop}eve-secret").roles("CUSTOMER").build());
	}

	record Invoice(String number) {
	}

	static class Handlers {

		final AtomicBoolean printerFixed = new AtomicBoolean();

		@JobHandler(value = "print-invoice", queue = "printing", maxAttempts = "1")
		void print(Invoice invoice) {
			if (!this.printerFixed.get()) {
				throw new IllegalStateException("printer jammed on " + invoice.number());
			}
		}

	}

}
