package io.sqlqueue.sample;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.sqlqueue.sample.Shop.NewOrder;
import io.sqlqueue.sample.Shop.OrderView;
import io.sqlqueue.sample.Shop.OutOfStockException;
import io.sqlqueue.sample.Shop.PlacedOrder;

/** The shop's HTTP API. */
@RestController
public class ShopController {

	private final Shop shop;

	public ShopController(Shop shop) {
		this.shop = shop;
	}

	@PostMapping("/orders")
	public ResponseEntity<PlacedOrder> placeOrder(@RequestBody NewOrder order) {
		return ResponseEntity.status(HttpStatus.CREATED).body(this.shop.placeOrder(order));
	}

	@GetMapping("/orders")
	public List<OrderView> orders() {
		return this.shop.orders();
	}

	@GetMapping("/orders/{id}")
	public ResponseEntity<Map<String, Object>> order(@PathVariable long id) {
		return this.shop.order(id)
			.map((order) -> ResponseEntity.ok(Map.<String, Object>of("order", order, "emails", this.shop.emails(id))))
			.orElse(ResponseEntity.notFound().build());
	}

	@GetMapping("/erp")
	public Map<String, Object> erp() {
		return Map.of("online", this.shop.isErpOnline());
	}

	@PutMapping("/erp")
	public Map<String, Object> setErp(@RequestBody Map<String, Boolean> body) {
		this.shop.setErpOnline(Boolean.TRUE.equals(body.get("online")));
		return erp();
	}

	@ExceptionHandler(OutOfStockException.class)
	public ResponseEntity<Map<String, String>> outOfStock(OutOfStockException ex) {
		return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", ex.getMessage()));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	public ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(Map.of("error", ex.getMessage()));
	}

}
