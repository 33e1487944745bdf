// One click from a conversation to a ticket: the server copies the customer and the
// transcript and tells the customer the ticket number in the same conversation.
import { post } from './api.js';
import { selected } from './state.js';
import { toast } from './page.js';

export function initTicketButton() {
  const button = document.getElementById('ticket-button');
  const type = document.getElementById('ticket-type');
  button.addEventListener('click', async () => {
    const c = selected();
    if (!c) return;
    button.disabled = true;
    try {
      const t = await post('/api/v1/tickets', { ticket_type: type.value, conversation_id: c.id });
      toast(`已创建工单 #${t.number}「${t.title}」，可在「工单」页跟进`);
    } catch (err) {
      toast(`建工单失败：${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}
