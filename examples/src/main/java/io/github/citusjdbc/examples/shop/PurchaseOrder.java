package io.github.citusjdbc.examples.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;

/** An order for a product, in the same tenant. */
@Entity
public class PurchaseOrder {
    @Id
    private Long id;
    @ManyToOne
    private Product product;
    private int quantity;

    protected PurchaseOrder() {
    }

    public PurchaseOrder(long id, Product product, int quantity) {
        this.id = id;
        this.product = product;
        this.quantity = quantity;
    }

    public Product getProduct() {
        return product;
    }

    public int getQuantity() {
        return quantity;
    }
}
