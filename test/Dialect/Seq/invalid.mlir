// RUN: seqc-opt %s -split-input-file -verify-diagnostics

// One failing case per verifier rule of the seq dialect: #seq.mask
// parameters, then the shape relations of each op, then impl choices.

func.func @mask_unknown_form(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{unknown mask form 'banded'}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<banded<2>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_window_bound_below_minus_one(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{window bounds must be >= 0, or -1 for unbounded}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<window<-2, 0>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_sinks_negative(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{sinks count must be >= 0}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<sinks<-1>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_global_position_negative(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{global token positions must be >= 0}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<global<[3, -1]>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_dilated_window_negative(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{dilated window size must be >= 0}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<dilated<-4, 2>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_dilation_zero(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{dilation must be >= 1}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<dilated<4, 0>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_block_size_zero(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{block size must be >= 1}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<blocks<0, dense<true> : tensor<1x1xi1>>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_block_layout_not_2d(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{block layout must be a 2-D tensor of i1}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<blocks<4, dense<true> : tensor<2xi1>>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @mask_block_layout_not_dense(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{block layout must be a dense i1 tensor}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<blocks<4, dense<1.0> : tensor<2x2xf32>>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_query_not_rank4(%q: tensor<4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'query' must have rank 4}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_key_element_type_differs(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf16>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'key' has element type 'f16' but 'query' has 'f32'}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_key_batch_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<2x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'key' batch (2) does not match 'query' batch (1)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<2x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_key_head_dim_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x8xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'key' head dim (8) does not match 'query' head dim (16)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_value_head_count_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x4x8x16xf32>) {
  // expected-error @+1 {{'value' head count (4) does not match 'key' head count (2)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_value_seq_len_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x9x16xf32>) {
  // expected-error @+1 {{'value' sequence length (9) does not match 'key' sequence length (8)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x9x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_result_head_count_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'result' head count (2) does not match 'query' head count (4)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return
}

// -----

func.func @attention_result_head_dim_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x8xf32>) {
  // expected-error @+1 {{'result' head dim (16) does not match 'value' head dim (8)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x8xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_k_heads_not_dividing_q_heads(%q: tensor<1x4x8x16xf32>, %k: tensor<1x3x8x16xf32>, %v: tensor<1x3x8x16xf32>) {
  // expected-error @+1 {{'key' head count (3) must divide 'query' head count (4)}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x3x8x16xf32>, tensor<1x3x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_bias_rank_above_4(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %b: tensor<1x1x1x8x8xf32>) {
  // expected-error @+1 {{'bias' must have rank <= 4}}
  %0 = seq.attention %q, %k, %v bias %b {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x1x8x8xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_bias_not_broadcasting(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %b: tensor<3x8xf32>) {
  // expected-error @+1 {{'bias' dim 0 (3) does not broadcast to the query dim (8)}}
  %0 = seq.attention %q, %k, %v bias %b {mask = #seq.mask<causal>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<3x8xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_scale_zero(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'scale' must be finite and non-zero}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 0.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_softcap_negative(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{'softcap' must be positive}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32, softcap = -1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_per_head_mask_count_mismatch(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{has 2 per-head masks but 'query' has 4 heads}}
  %0 = seq.attention %q, %k, %v {mask = [#seq.mask<causal>, #seq.mask<full>], scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_block_layout_too_small(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{block layout 1x1 does not cover 2x2 blocks of size 4 for 8 keys}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal and blocks<4, dense<true> : tensor<1x1xi1>>>, scale = 1.0 : f32} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @attention_impl_fft_unsupported(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) {
  // expected-error @+1 {{cannot be implemented by 'fft'; expected one of: reference, dense, tiled}}
  %0 = seq.attention %q, %k, %v {mask = #seq.mask<causal>, scale = 1.0 : f32, impl = #seq.impl<fft>} : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

func.func @linear_attention_value_not_rank4(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<2x8x6xf32>) {
  // expected-error @+1 {{'value' must have rank 4}}
  %0:2 = seq.linear_attention %q, %k, %v  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_key_seq_len_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x9x4xf32>, %v: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{'key' sequence length (9) does not match 'query' sequence length (8)}}
  %0:2 = seq.linear_attention %q, %k, %v  : (tensor<1x2x8x4xf32>, tensor<1x2x9x4xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_key_dim_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x5xf32>, %v: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{'key' key dim (5) does not match 'query' key dim (4)}}
  %0:2 = seq.linear_attention %q, %k, %v  : (tensor<1x2x8x4xf32>, tensor<1x2x8x5xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_out_value_dim_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{'out' value dim (5) does not match 'value' value dim (6)}}
  %0:2 = seq.linear_attention %q, %k, %v  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x5xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_state_key_dim_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{'state' key dim (3) does not match 'key' key dim (4)}}
  %0:2 = seq.linear_attention %q, %k, %v  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x3x6xf32>)
  return
}

// -----

func.func @linear_attention_decay_bad_rank(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>, %a: tensor<1x2xf32>) {
  // expected-error @+1 {{'decay' must have rank 3 or 4}}
  %0:2 = seq.linear_attention %q, %k, %v decay %a  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>, tensor<1x2xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_decay_seq_len_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>, %a: tensor<1x2x7xf32>) {
  // expected-error @+1 {{'decay' sequence length (7) does not match 'query' sequence length (8)}}
  %0:2 = seq.linear_attention %q, %k, %v decay %a  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>, tensor<1x2x7xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_decay_key_dim_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>, %a: tensor<1x2x8x3xf32>) {
  // expected-error @+1 {{'decay' key dim (3) does not match 'key' key dim (4)}}
  %0:2 = seq.linear_attention %q, %k, %v decay %a  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>, tensor<1x2x8x3xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_state0_type_mismatch(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>, %s: tensor<1x2x4x5xf32>) {
  // expected-error @+1 {{'state0' type 'tensor<1x2x4x5xf32>' must match the 'state' result type}}
  %0:2 = seq.linear_attention %q, %k, %v state0 %s  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>, tensor<1x2x4x5xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_decay_element_type_differs(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>, %a: tensor<1x2x8xf64>) {
  // expected-error @+1 {{'decay' has element type 'f64' but 'query' has 'f32'}}
  %0:2 = seq.linear_attention %q, %k, %v decay %a  : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>, tensor<1x2x8xf64>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @linear_attention_impl_tiled_unsupported(%q: tensor<1x2x8x4xf32>, %k: tensor<1x2x8x4xf32>, %v: tensor<1x2x8x6xf32>) {
  // expected-error @+1 {{cannot be implemented by 'tiled'}}
  %0:2 = seq.linear_attention %q, %k, %v {impl = #seq.impl<tiled>} : (tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8x6xf32>) -> (tensor<1x2x8x6xf32>, tensor<1x2x4x6xf32>)
  return
}

// -----

func.func @selective_scan_A_not_rank2(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'A' must have rank 2}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_delta_length_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x15xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'delta' length (15) does not match 'u' length (16)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x15xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_A_channel_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<7x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'A' channel (7) does not match 'u' channel (8)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<7x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_C_rank_differs_from_B(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x1x4x16xf32>) {
  // expected-error @+1 {{'C' must have the rank of 'B' (3)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x1x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_B_length_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x12xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'B' length (12) does not match 'u' length (16)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x12xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_C_state_size_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x5x16xf32>) {
  // expected-error @+1 {{'C' state size (5) does not match 'A' state size (4)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x5x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_B_groups_not_dividing_channels(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x3x4x16xf32>, %C: tensor<2x3x4x16xf32>) {
  // expected-error @+1 {{'B' group count (3) must divide the channel count (8)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x3x4x16xf32>, tensor<2x3x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_D_channel_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>, %D: tensor<4xf32>) {
  // expected-error @+1 {{'D' channel (4) does not match 'u' channel (8)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C D %D  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<4xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_delta_bias_not_rank1(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>, %db: tensor<8x1xf32>) {
  // expected-error @+1 {{'delta_bias' must have rank 1}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C delta_bias %db  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<8x1xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_z_length_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>, %z: tensor<2x8x8xf32>) {
  // expected-error @+1 {{'z' dim 2 (8) does not match 'u' dim 2 (16)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C z %z  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x8x8xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @selective_scan_last_state_size_mismatch(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{'last_state' state size (3) does not match 'A' state size (4)}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C  : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x3xf32>)
  return
}

// -----

func.func @selective_scan_impl_fft_unsupported(%u: tensor<2x8x16xf32>, %dt: tensor<2x8x16xf32>, %A: tensor<8x4xf32>, %B: tensor<2x4x16xf32>, %C: tensor<2x4x16xf32>) {
  // expected-error @+1 {{cannot be implemented by 'fft'}}
  %0:2 = seq.selective_scan %u, %dt, %A, %B, %C {impl = #seq.impl<fft>} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<8x4xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> (tensor<2x8x16xf32>, tensor<2x8x4xf32>)
  return
}

// -----

func.func @linear_scan_axis_out_of_range(%a: tensor<1x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'axis' 2 is out of range for 'b' of rank 2}}
  %0 = seq.linear_scan %a, %b {axis = 2 : i64} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_a_rank_differs_from_b(%a: tensor<16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'a' must have the rank of 'b' (2)}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64} : (tensor<16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_a_not_broadcasting(%a: tensor<3x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'a' dim 0 (3) does not broadcast to 'b' dim 0 (4)}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64} : (tensor<3x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_h0_shape_mismatch(%a: tensor<1x16xf32>, %b: tensor<4x16xf32>, %h0: tensor<16xf32>) {
  // expected-error @+1 {{'h0' must have shape [4]}}
  %0 = seq.linear_scan %a, %b h0 %h0 {axis = 1 : i64} : (tensor<1x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_last_h_shape_mismatch(%a: tensor<1x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'h' must have shape [4]}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64, last} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_h_shape_mismatch(%a: tensor<1x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'h' must have shape [4, 16]}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<4x15xf32>
  return
}

// -----

func.func @linear_scan_a_element_type_differs(%a: tensor<1x16xf64>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{'a' has element type 'f64' but 'b' has 'f32'}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64} : (tensor<1x16xf64>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @linear_scan_impl_tiled_unsupported(%a: tensor<1x16xf32>, %b: tensor<4x16xf32>) {
  // expected-error @+1 {{cannot be implemented by 'tiled'}}
  %0 = seq.linear_scan %a, %b {axis = 1 : i64, impl = #seq.impl<tiled>} : (tensor<1x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @long_conv_kernel_not_rank2(%x: tensor<2x8x64xf32>, %k: tensor<8x1x16xf32>) {
  // expected-error @+1 {{'kernel' must have rank 2}}
  %0 = seq.long_conv %x, %k  : (tensor<2x8x64xf32>, tensor<8x1x16xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

func.func @long_conv_kernel_channel_mismatch(%x: tensor<2x8x64xf32>, %k: tensor<4x16xf32>) {
  // expected-error @+1 {{'kernel' channel count (4) does not match 'x' channel count (8)}}
  %0 = seq.long_conv %x, %k  : (tensor<2x8x64xf32>, tensor<4x16xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

func.func @long_conv_result_length_mismatch(%x: tensor<2x8x64xf32>, %k: tensor<8x16xf32>) {
  // expected-error @+1 {{'y' dim 2 (32) does not match 'x' dim 2 (64)}}
  %0 = seq.long_conv %x, %k  : (tensor<2x8x64xf32>, tensor<8x16xf32>) -> tensor<2x8x32xf32>
  return
}

// -----

func.func @long_conv_bias_channel_mismatch(%x: tensor<2x8x64xf32>, %k: tensor<8x16xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'bias' channel count (4) does not match 'x' channel count (8)}}
  %0 = seq.long_conv %x, %k bias %b  : (tensor<2x8x64xf32>, tensor<8x16xf32>, tensor<4xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

func.func @long_conv_kernel_without_taps(%x: tensor<2x8x64xf32>, %k: tensor<8x0xf32>) {
  // expected-error @+1 {{'kernel' must have at least one tap}}
  %0 = seq.long_conv %x, %k  : (tensor<2x8x64xf32>, tensor<8x0xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

func.func @long_conv_impl_chunked_unknown(%x: tensor<2x8x64xf32>, %k: tensor<8x16xf32>) {
  // expected-error @+1 {{cannot be implemented by 'chunked'; expected one of: reference, direct, fft, overlap_save}}
  %0 = seq.long_conv %x, %k {impl = #seq.impl<chunked>} : (tensor<2x8x64xf32>, tensor<8x16xf32>) -> tensor<2x8x64xf32>
  return
}

// -----

func.func @fft_axis_out_of_range(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{'axis' 2 is out of range for 'input' of rank 2}}
  %0 = seq.fft %x {axis = 2 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x16xcomplex<f32>>
  return
}

// -----

func.func @fft_length_zero(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{'length' must be >= 1}}
  %0 = seq.fft %x {axis = 1 : i64, length = 0 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x0xcomplex<f32>>
  return
}

// -----

func.func @fft_result_rank_differs(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{result rank 1 differs from 'input' rank 2}}
  %0 = seq.fft %x {axis = 1 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<64xcomplex<f32>>
  return
}

// -----

func.func @fft_result_precision_differs(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{result precision differs from 'input'}}
  %0 = seq.fft %x {axis = 1 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x16xcomplex<f64>>
  return
}

// -----

func.func @fft_result_dim_not_length(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{result dim 1 must be 32, got 16}}
  %0 = seq.fft %x {axis = 1 : i64, length = 32 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x16xcomplex<f32>>
  return
}

// -----

func.func @rfft_result_dim_not_half_plus_one(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{result dim 1 must be 9, got 16}}
  %0 = seq.rfft %x {axis = 1 : i64} : (tensor<4x16xf32>) -> tensor<4x16xcomplex<f32>>
  return
}

// -----

func.func @irfft_result_dim_not_twice_minus_two(%x: tensor<4x16xcomplex<f32>>) {
  // expected-error @+1 {{result dim 1 must be 30, got 16}}
  %0 = seq.irfft %x {axis = 1 : i64} : (tensor<4x16xcomplex<f32>>) -> tensor<4x16xf32>
  return
}

// -----

func.func @irfft_single_bin(%x: tensor<4x1xcomplex<f32>>) {
  // expected-error @+1 {{'input' has one bin along 'axis'}}
  %0 = seq.irfft %x {axis = 1 : i64} : (tensor<4x1xcomplex<f32>>) -> tensor<4x0xf32>
  return
}

// -----

func.func @rfft_impl_direct_unsupported(%x: tensor<4x16xf32>) {
  // expected-error @+1 {{cannot be implemented by 'direct'}}
  %0 = seq.rfft %x {axis = 1 : i64, impl = #seq.impl<direct>} : (tensor<4x16xf32>) -> tensor<4x9xcomplex<f32>>
  return
}

// -----

func.func @ssm_kernel_log_dt_not_rank1(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8x1xf32>, %n: index) {
  // expected-error @+1 {{'log_dt' must have rank 1}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x1xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_B_state_size_mismatch(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x5xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{'B' state size (5) does not match 'A' state size (4)}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x5xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_C_channel_mismatch(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<7x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{'C' channel count (7) does not match 'A' channel count (8)}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<7x4xcomplex<f32>>, tensor<8xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_log_dt_channel_mismatch(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<4xf32>, %n: index) {
  // expected-error @+1 {{'log_dt' channel count (4) does not match 'A' channel count (8)}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<4xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_result_channel_mismatch(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{'kernel' channel count (4) does not match 'A' channel count (8)}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>) -> tensor<4x32xf32>
  return
}

// -----

func.func @ssm_kernel_log_dt_element_type_differs(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf64>, %n: index) {
  // expected-error @+1 {{'log_dt' has element type 'f64' but 'A' has 'f32'}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf64>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_dynamic_length_without_operand(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{result length is dynamic, so the 'length' operand is required}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>) -> tensor<8x?xf32>
  return
}

// -----

func.func @ssm_kernel_length_operand_with_static_length(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{'length' operand given but the result length is static (32)}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt length %n  : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>, index) -> tensor<8x32xf32>
  return
}

// -----

func.func @ssm_kernel_impl_fft_unsupported(%A: tensor<8x4xcomplex<f32>>, %B: tensor<8x4xcomplex<f32>>, %C: tensor<8x4xcomplex<f32>>, %dt: tensor<8xf32>, %n: index) {
  // expected-error @+1 {{cannot be implemented by 'fft'}}
  %0 = seq.ssm_kernel %A, %B, %C, %dt {impl = #seq.impl<fft>} : (tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8x4xcomplex<f32>>, tensor<8xf32>) -> tensor<8x32xf32>
  return
}
