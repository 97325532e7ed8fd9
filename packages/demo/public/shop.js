// Northwind Outfitters: the little behaviour the demo shop needs. There is no backend, so
// forms that would carry secrets (password, card) never submit: they just move to the next
// page, and nothing typed ends up in a URL, a log or history.
(function () {
  'use strict';

  function goTo(form, page) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      window.location.assign(page);
    });
  }

  function showProduct() {
    var article = document.querySelector('[data-product]');
    var id = new URLSearchParams(window.location.search).get('id');
    if (!article || !id || id === article.getAttribute('data-product')) return;
    fetch('catalogue.json')
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (products) {
        var product = products.find(function (p) { return p.id === id; });
        if (!product) return;
        article.setAttribute('data-product', product.id);
        document.getElementById('product-name').textContent = product.name;
        document.getElementById('product-price').textContent = '$' + product.price.toFixed(2);
        document.getElementById('product-blurb').textContent = product.blurb;
        var art = article.querySelector('.art');
        art.className = 'art tint-' + product.tint;
        art.innerHTML = product.art; // our own catalogue file, same origin
        document.title = product.name + ' · Northwind Outfitters';
      })
      .catch(function () { /* keep the featured product */ });
  }

  function start() {
    var login = document.getElementById('login-form');
    if (login) goTo(login, 'account.html');
    var checkout = document.getElementById('checkout-form');
    if (checkout) goTo(checkout, 'order-complete.html');
    showProduct();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
