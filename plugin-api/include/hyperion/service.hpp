// hyperion/service.hpp — publishing and calling a service API from C++ without
// hand-written thunks. The API stays a plain C vtable (that is the ABI, so any
// language can provide or use it); this header generates both sides of it.
//
// Provider: fill the vtable with hyperion::method<&Class::member>. The member
// takes the slot's parameters after `void* ctx` (a hyperion_str_t may be taken
// as std::string_view or std::string). For a slot in the ABI's error style —
// returning hyperion_status_t with `hyperion_error_t* err` last — the member
// returns void and may throw (a hyperion::Error keeps its code; anything else
// is HYPERION_ERR_INTERNAL); when `const hyperion_sink_t* out` comes just
// before `err`, the member returns what to write there (std::string). Any
// other slot calls a member that must be noexcept.
//
//   class Hello {
//    public:
//     std::string greet(std::string_view name);   // may throw
//     hyperion::ServiceRef get_service(std::string_view api, uint32_t major) {
//       return hyperion::offer(api, major, {HELLO_GREETER_API, HELLO_GREETER_MAJOR, &kGreeter, this});
//     }
//   };
//   constexpr hello_greeter_v1_t kGreeter = {sizeof(hello_greeter_v1_t), hyperion::method<&Hello::greet>};
//
// Consumer: hyperion::call<&Vtable::slot>(handle, args...) enters the service,
// calls the slot (std::string_view / std::string / const char* for a
// hyperion_str_t), leaves, and returns what the sink received (or the slot's
// result, or nothing); an error status is thrown as hyperion::Error; a slot the
// provider's version of the API lacks is HYPERION_ERR_UNSUPPORTED.
//
//   hyperion::ServiceHandle greeter = ctx.acquire(HELLO_GREETER_API, HELLO_GREETER_MAJOR);
//   std::string hi = hyperion::call<&hello_greeter_v1_t::greet>(greeter, "Ada");
#ifndef HYPERION_SERVICE_HPP_
#define HYPERION_SERVICE_HPP_

#include <hyperion/plugin.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace hyperion {
namespace sdk {

// The class and noexcept-ness of a pointer to member function.
template <typename M>
struct MemberTraits;
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...)> {
  using Class = C;
  static constexpr bool kNoexcept = false;
};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) const> {
  using Class = const C;
  static constexpr bool kNoexcept = false;
};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) noexcept> {
  using Class = C;
  static constexpr bool kNoexcept = true;
};
template <typename C, typename R, typename... A>
struct MemberTraits<R (C::*)(A...) const noexcept> {
  using Class = const C;
  static constexpr bool kNoexcept = true;
};

// A C argument as a member receives it: a hyperion_str_t also reads as
// std::string_view and std::string; everything else passes as it is.
struct StrArg {
  hyperion_str_t value;
  operator hyperion_str_t() const noexcept { return value; }
  operator std::string_view() const noexcept { return to_view(value); }
  operator std::string() const { return std::string(to_view(value)); }
};
inline StrArg from_c(hyperion_str_t s) noexcept { return {s}; }
template <typename T>
T&& from_c(T&& v) noexcept {
  return std::forward<T>(v);
}

// Whether a slot's parameters end in the ABI's error style (..., err), and
// whether a sink comes just before the error (..., out, err).
template <typename R, typename... A>
constexpr bool error_style() {
  if constexpr (!std::is_same_v<R, hyperion_status_t> || sizeof...(A) < 1) {
    return false;
  } else {
    return std::is_same_v<std::tuple_element_t<sizeof...(A) - 1, std::tuple<A...>>, hyperion_error_t*>;
  }
}
template <typename R, typename... A>
constexpr bool sink_style() {
  if constexpr (!error_style<R, A...>() || sizeof...(A) < 2) {
    return false;
  } else {
    return std::is_same_v<std::tuple_element_t<sizeof...(A) - 2, std::tuple<A...>>, const hyperion_sink_t*>;
  }
}
template <typename R, typename... A>
constexpr bool kErrorStyle = error_style<R, A...>();
template <typename R, typename... A>
constexpr bool kSinkStyle = sink_style<R, A...>();

template <auto Member, typename R, typename... A>
struct MethodThunk {
  using Class = typename MemberTraits<decltype(Member)>::Class;

  // Calls the member with the first K arguments of `args`.
  template <size_t K>
  static decltype(auto) invoke_first(Class* self, std::tuple<A...>& args) {
    return [&]<size_t... I>(std::index_sequence<I...>)->decltype(auto) {
      return (self->*Member)(from_c(std::get<I>(args))...);
    }
    (std::make_index_sequence<K>{});
  }

  static R call(void* ctx, A... a) noexcept {
    auto* self = static_cast<Class*>(ctx);
    std::tuple<A...> args{a...};
    constexpr size_t n = sizeof...(A);
    if constexpr (kSinkStyle<R, A...>) {
      hyperion_error_t* err = std::get<n - 1>(args);
      const hyperion_sink_t* out = std::get<n - 2>(args);
      return guarded(err, [&] { write_sink(out, invoke_first<n - 2>(self, args)); });
    } else if constexpr (kErrorStyle<R, A...>) {
      hyperion_error_t* err = std::get<n - 1>(args);
      return guarded(err, [&] { invoke_first<n - 1>(self, args); });
    } else {
      static_assert(MemberTraits<decltype(Member)>::kNoexcept,
                    "hyperion::method: this slot has no hyperion_error_t* to report an exception through, so the "
                    "member must be noexcept");
      return invoke_first<n>(self, args);
    }
  }
};

// Converts to whichever slot type it is assigned to.
template <auto Member>
struct Method {
  template <typename R, typename... A>
  using Slot = R (*)(void*, A...);
  template <typename R, typename... A>
  constexpr operator Slot<R, A...>() const noexcept {
    return &MethodThunk<Member, R, A...>::call;
  }
};

// A consumer's argument as the slot takes it.
template <typename P, typename Arg>
P to_c(Arg&& arg) {
  if constexpr (std::is_same_v<P, hyperion_str_t> && std::is_convertible_v<Arg, std::string_view>) {
    return to_str(std::string_view(std::forward<Arg>(arg)));
  } else {
    return std::forward<Arg>(arg);
  }
}

template <auto Slot>
struct SlotTraits;
template <typename V, typename R, typename... A, R (*V::*S)(void*, A...)>
struct SlotTraits<S> {
  using VTable = V;
  using Result = R;
  using Args = std::tuple<A...>;
};

template <typename R, typename... A, typename... Given>
R invoke_slot(R (*fn)(void*, A...), void* ctx, Given&&... given) {
  return fn(ctx, to_c<A>(std::forward<Given>(given))...);
}

}  // namespace sdk

// A service function generated from a member function (see the top).
template <auto Member>
inline constexpr sdk::Method<Member> method{};

// One service a plugin offers from get_service().
struct Offer {
  std::string_view api;
  uint32_t major;
  const void* vtable;
  void* ctx;
  uint32_t api_minor = 0;
};

// The ServiceRef for (api, major) among `offers`, or none (get_service then
// fails with HYPERION_ERR_NOT_FOUND).
inline ServiceRef offer(std::string_view api, uint32_t major, std::initializer_list<Offer> offers) {
  for (const Offer& o : offers) {
    if (o.api == api && o.major == major) return {o.vtable, o.ctx, o.api_minor};
  }
  return {};
}

// Calls `Slot` of the service behind `handle` (see the top).
template <auto Slot, typename... Given>
auto call(const ServiceHandle& handle, Given&&... given) {
  using Traits = sdk::SlotTraits<Slot>;
  using VTable = typename Traits::VTable;
  auto use = handle.enter<VTable>();
  const VTable* vt = use.vtable();
  const size_t offset =
      static_cast<size_t>(reinterpret_cast<const char*>(&(vt->*Slot)) - reinterpret_cast<const char*>(vt));
  if (vt->struct_size < offset + sizeof(void*) || vt->*Slot == nullptr) {
    throw Error(HYPERION_ERR_UNSUPPORTED, "the provider's version of this service lacks the function called");
  }
  auto fn = vt->*Slot;
  return std::apply(
      [&]<typename... A>(A...) {
        using R = typename Traits::Result;
        if constexpr (sdk::kSinkStyle<R, A...>) {
          std::string out;
          hyperion_sink_t sink = sdk::string_sink(out);
          hyperion_error_t err{};
          err.struct_size = sizeof err;
          hyperion_status_t s = sdk::invoke_slot(fn, use.ctx(), std::forward<Given>(given)..., &sink, &err);
          if (s != HYPERION_OK) throw Error(s, err.message);
          return out;
        } else if constexpr (sdk::kErrorStyle<R, A...>) {
          hyperion_error_t err{};
          err.struct_size = sizeof err;
          hyperion_status_t s = sdk::invoke_slot(fn, use.ctx(), std::forward<Given>(given)..., &err);
          if (s != HYPERION_OK) throw Error(s, err.message);
        } else {
          return sdk::invoke_slot(fn, use.ctx(), std::forward<Given>(given)...);
        }
      },
      typename Traits::Args{});
}

}  // namespace hyperion

#endif  // HYPERION_SERVICE_HPP_
