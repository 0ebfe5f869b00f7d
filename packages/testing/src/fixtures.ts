/** The shipping address the services' tests send orders to (a carrier-served US address). */
export const SHIPPING_ADDRESS = {
  name: 'Ada Lovelace',
  street: '123 Main St',
  city: 'New York',
  state: 'NY',
  zipCode: '10001',
  country: 'US',
  phone: '+12125550100',
} as const;
